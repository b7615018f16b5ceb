# Nested arithmetic loops.
def main():
    total = 0
    for i in range(1000):
        for j in range(1000):
            total += (i * j) - (i + j) + (i % 7)
    return total
