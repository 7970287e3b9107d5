import Dispatch
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// A small deterministic parallel-for.
///
/// Work is cut into a fixed number of chunks that depends only on the problem size, never on
/// the thread count; each chunk computes its own outputs in a fixed order and reductions over
/// chunks are combined by the caller in chunk order. Results are therefore bitwise identical
/// whether 1 or N threads run them.
///
/// The thread count comes from the environment variable `HMAML_THREADS` (default: the number
/// of active processors) and can be overridden for a scope with
/// `Parallelism.$threadCount.withValue(1) { ... }` (a task-local value, not a global).
public enum Parallelism {
  /// Threads used by kernels when none is given: `HMAML_THREADS` if set to a positive integer,
  /// else `ProcessInfo.activeProcessorCount`.
  public static let defaultThreadCount: Int = {
    if let s = ProcessInfo.processInfo.environment["HMAML_THREADS"], let n = Int(s), n > 0 {
      return min(n, 256)
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
  }()

  /// The thread count for kernels started in the current task (scoped override).
  @TaskLocal public static var threadCount: Int = defaultThreadCount

  /// Runs `body(chunk)` for every chunk in `0..<chunks` on at most `threads` workers.
  ///
  /// Workers take the next unclaimed chunk (so a worker that starts late, on a busy machine,
  /// simply takes fewer); which worker runs a chunk never changes what the chunk computes.
  /// `body` must write disjoint outputs per chunk. With `threads <= 1` (or one chunk) it runs
  /// inline on the calling thread.
  static func forEachChunk(_ chunks: Int, threads: Int = threadCount, _ body: (Int) -> Void) {
    let workers = min(max(threads, 1), chunks)
    if workers <= 1 {
      for c in 0..<chunks { body(c) }
      return
    }
    let counter = ChunkCounter()
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      while true {
        let c = counter.claim()
        if c >= chunks { return }
        body(c)
      }
    }
  }
}

/// Hands out chunk indices 0, 1, 2, … to competing workers.
final class ChunkCounter: Sendable {
  private let next = Atomic<Int>(0)

  func claim() -> Int { next.add(1, ordering: .relaxed).oldValue }
}

