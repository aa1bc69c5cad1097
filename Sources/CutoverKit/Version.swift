/// The version of cutover, printed by `cutover --version` and recorded with each correlation.
public enum CutoverVersion {
    public static let current = "0.9.0"
}
