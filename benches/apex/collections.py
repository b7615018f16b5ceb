# List and Map heavy work.
def main():
    counts = {}
    xs = []
    for i in range(300000):
        xs.append((i * 79) % 1000)
    for x in xs:
        key = 'k' + str(x % 500)
        c = counts.get(key)
        counts[key] = 1 if c is None else c + 1
    total = 0
    for k in counts:
        total += counts[k]
    return total + len(counts)
