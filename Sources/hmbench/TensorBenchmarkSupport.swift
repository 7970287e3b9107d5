import Foundation

/// Wall-clock helpers and peer-process plumbing for the tensor benchmarks.
enum TensorBenchClock {
  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  static func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
  }

  /// Runs `executable args` and returns its standard output.
  static func run(_ executable: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
      throw ValidationError("\(executable) \(args.joined(separator: " ")) exited with \(p.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
  }
}

import ArgumentParser

#if os(Linux)
/// glibc's `mallopt` (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt") func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Keeps freed tensor buffers in the process heap instead of returning them to the kernel
/// after every op (glibc trims the heap and unmaps large blocks by default, which costs a page
/// fault per touched page on the next allocation: ~15% of a MAML meta-iteration).
func retainFreedMemory() {
  #if os(Linux)
  _ = glibcMallopt(-3, 64 << 20)   // M_MMAP_THRESHOLD
  _ = glibcMallopt(-1, 512 << 20)  // M_TRIM_THRESHOLD
  #endif
}
