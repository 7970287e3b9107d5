#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
#if canImport(Glibc)
import Glibc
#endif

// The few full-Foundation conveniences the front end uses, on FoundationEssentials and libc:
// linking full Foundation would triple hmaml's start-up (docs/performance.md).

enum TrimSet { case whitespaces, whitespacesAndNewlines }

extension StringProtocol {
  func trimmingCharacters(in set: TrimSet) -> String {
    let newlines = set == .whitespacesAndNewlines
    let strip: (Character) -> Bool = { c in
      if c == " " || c == "\t" { return true }
      return newlines && (c == "\n" || c == "\r\n" || c == "\r")
    }
    guard let first = firstIndex(where: { !strip($0) }), let last = lastIndex(where: { !strip($0) }) else { return "" }
    return String(self[first...last])
  }

  func padding(toLength length: Int, withPad pad: String, startingAt _: Int) -> String {
    let s = String(self)
    if s.count >= length { return String(s.prefix(length)) }
    return s + String(repeating: pad, count: length - s.count)
  }
}

/// Path helpers in place of NSString's.
enum PathText {
  static func expandingTilde(_ path: String) -> String {
    guard path.hasPrefix("~") else { return path }
    let home = ProcessEnvironment.value("HOME") ?? ""
    return home + path.dropFirst()
  }
  static func appending(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }
}

/// printf-style formatting of one Double.
func formatted(_ spec: String, _ value: Double) -> String {
  var buffer = [CChar](repeating: 0, count: 128)
  let n = withVaList([value]) { vsnprintf(&buffer, buffer.count, spec, $0) }
  return String(decoding: buffer.prefix(Int(max(0, min(n, 127)))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A pthread condition variable with its mutex (in place of NSCondition).
final class ConditionVariable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  init() { pthread_mutex_init(mutex, nil); pthread_cond_init(cond, nil) }
  deinit { pthread_cond_destroy(cond); pthread_mutex_destroy(mutex); cond.deallocate(); mutex.deallocate() }
  func lock() { pthread_mutex_lock(mutex) }
  func unlock() { pthread_mutex_unlock(mutex) }
  func signal() { pthread_cond_signal(cond) }
  func broadcast() { pthread_cond_broadcast(cond) }
  func wait() { pthread_cond_wait(cond, mutex) }
  /// Waits at most `seconds`; returns false on timeout.
  @discardableResult
  func wait(seconds: Double) -> Bool {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    var deadline = timespec()
    let total = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + seconds
    deadline.tv_sec = Int(total)
    deadline.tv_nsec = Int((total - Double(Int(total))) * 1e9)
    return pthread_cond_timedwait(cond, mutex, &deadline) == 0
  }
}

/// All of standard input (read with read(2) until end of file).
func readStandardInput() -> String {
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = read(0, &chunk, chunk.count)
    if n <= 0 { break }
    bytes.append(contentsOf: chunk[0..<n])
  }
  return String(decoding: bytes, as: UTF8.self)
}

/// Nanoseconds on the monotonic clock.
func monotonicNanoseconds() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
