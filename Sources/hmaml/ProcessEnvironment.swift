#if canImport(Glibc)
import Glibc
#endif

/// The process environment, read from `environ` byte by byte.
///
/// FoundationEssentials' `ProcessInfo.environment` splits each entry at its `=` by Characters:
/// about 1 M instructions for 40 variables, a tenth of `hmaml -e 1` (callgrind).
enum ProcessEnvironment {
  /// Every variable; the first definition of a name wins, as for getenv(3).
  static func current() -> [String: String] {
    // `environ` is imported as non-optional, yet NULL after clearenv(3).
    guard var entry = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>(bitPattern: Int(bitPattern: environ)) else {
      return [:]
    }
    var variables: [String: String] = [:]
    while let text = entry.pointee {
      let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self),
                                      count: strlen(text))
      if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
        let name = String(decoding: bytes[..<equals], as: UTF8.self)
        if variables[name] == nil {
          variables[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
        }
      }
      entry += 1
    }
    return variables
  }

  /// One variable, or nil when it is not set.
  static func value(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }
}
