/// An error raised while running, before the VM attaches the location and stack trace.
/// Natives throw it (or any Error, whose description becomes the message).
public struct RuntimeError: Error, CustomStringConvertible {
  public enum Kind: Sendable { case error, interrupted, stackOverflow }
  public var message: String
  public var kind: Kind
  public var notes: [String]
  /// The hm stack where it was raised (attached by the VM, innermost first).
  public var trace: [Diagnostic.Frame]?
  public init(_ message: String, kind: Kind = .error, notes: [String] = []) {
    self.message = message; self.kind = kind; self.notes = notes
  }
  public var description: String { message }
  public static let interrupted = RuntimeError("stopped by Ctrl-C", kind: .interrupted)
}
