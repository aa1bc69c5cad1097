import CutoverKit
