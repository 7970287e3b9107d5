import Dispatch
import HMTensor

/// `body(0) … body(count − 1)` on up to `threads` workers (default `Parallelism.threadCount`,
/// i.e. `HMAML_THREADS`), assigned round-robin; the results in index order. Each index's result
/// depends only on its index, so the output is identical for any thread count.
///
/// NOTE: one index per worker at a time, and kernels inside run single-threaded, so the two
/// levels of parallelism do not oversubscribe the cores.
/// - Throws: the error of the lowest index that failed.
func concurrentMap<T>(_ count: Int, threads: Int? = nil, _ body: (Int) throws -> T) throws -> [T] {
  let workers = min(max(threads ?? Parallelism.threadCount, 1), count)
  if workers <= 1 { return try (0..<count).map(body) }
  var results = [Result<T, Error>?](repeating: nil, count: count)
  results.withUnsafeMutableBufferPointer { slots in
    let out = slots
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      Parallelism.$threadCount.withValue(1) {
        var i = w
        while i < count {
          out[i] = Result { try body(i) }
          i += workers
        }
      }
    }
  }
  return try results.map { r in
    guard let r else { throw RLError(.numerical, "concurrentMap", "an index produced no result") }
    return try r.get()
  }
}
