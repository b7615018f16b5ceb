# Method calls on objects: virtual dispatch, fields, constructors.
class Shape:
    def __init__(self):
        self.scale = 1
    def area(self):
        return 0

class Square(Shape):
    def __init__(self, s):
        super().__init__()
        self.side = s
    def area(self):
        return self.side * self.side

class Rect(Shape):
    def __init__(self, w, h):
        super().__init__()
        self.w = w
        self.h = h
    def area(self):
        return self.w * self.h

def main():
    shapes = [Square(i) if i % 2 == 0 else Rect(i, 2) for i in range(1000)]
    total = 0
    for _ in range(1000):
        for s in shapes:
            total += s.area()
    return total
