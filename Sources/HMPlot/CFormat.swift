#if canImport(Glibc)
import Glibc
#endif

/// printf-style formatting (C's vsnprintf): HMPlot uses FoundationEssentials only, whose load
/// time is a fraction of full Foundation's (hmaml's start-up, docs/performance.md).
func cFormat(_ spec: String, _ arguments: CVarArg...) -> String {
  var buffer = [CChar](repeating: 0, count: 256)
  let n = withVaList(arguments) { vsnprintf(&buffer, buffer.count, spec, $0) }
  guard n >= 0 else { return "" }
  if Int(n) >= buffer.count {
    buffer = [CChar](repeating: 0, count: Int(n) + 1)
    _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, spec, $0) }
  }
  return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
