# String building and inspection.
def main():
    s = ''
    vowels = 0
    for i in range(40000):
        s += 'item' + str(i) + ','
        if i % 100 == 0:
            vowels += s.count('e')
    parts = s.split(',')
    # Apex (like Java) drops trailing empty strings when splitting.
    while parts and parts[-1] == '':
        parts.pop()
    return len(parts) + vowels + len(s)
