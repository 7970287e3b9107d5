#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One long-lived thread with a large stack on which every evaluation runs, while the main thread
/// waits and watches for Ctrl-C.
///
/// Why a thread: deep (but bounded) recursion in scripts must end as a `stack overflow` language
/// error, never a segfault (DESIGN.md §8), and the main thread's 8 MiB stack is too small for a
/// useful call-depth limit. Why one thread rather than one per evaluation: the session always
/// runs on the same thread, so thread-local caches in the language stay valid.
final class EvaluationThread {
  /// 512 MiB of reserved (not committed) address space.
  static let stackSize = 512 << 20
  /// How often the waiting main thread looks at the SIGINT counter.
  static let interruptPollInterval: TimeInterval = 0.02

  private let condition = ConditionVariable()
  /// The job handed to the thread; `nil` when idle. Guarded by `condition`.
  private var pendingJob: (() -> Void)?
  /// Set by the thread when the current job has returned. Guarded by `condition`.
  private var jobFinished = false

  /// Starts the thread.
  /// - Throws: `CLIError.system` when the thread cannot be created.
  init() throws {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, EvaluationThread.stackSize)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let context = Unmanaged.passRetained(self).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, &attributes, { context in
      guard let context else { return nil }
      Unmanaged<EvaluationThread>.fromOpaque(context).takeRetainedValue().serve()
    }, context)
    if status != 0 {
      Unmanaged<EvaluationThread>.fromOpaque(context).release()
      throw CLIError.system("cannot start the evaluation thread (error \(status))")
    }
  }

  /// Runs `body` on the evaluation thread and returns its result. Meanwhile the calling (main)
  /// thread polls the SIGINT counter; once Ctrl-C was pressed, it calls `onInterrupt` with the
  /// number of presses so far in this run (1, 2, …) at every poll until `body` returns. The
  /// repetition closes the race with a session that clears its interrupt flag when an evaluation
  /// starts: a request made just before that is made again just after.
  func run<Result>(_ body: @escaping () -> Result,
                   onInterrupt: (_ pressesSoFar: Int) -> Void) -> Result {
    let box = ResultBox<Result>()
    condition.lock()
    jobFinished = false
    pendingJob = { box.value = body() }
    condition.broadcast()
    var presses = 0
    while !jobFinished {
      _ = condition.wait(seconds: EvaluationThread.interruptPollInterval)
      presses += InterruptSignal.takePending()
      if presses > 0 && !jobFinished {
        condition.unlock()
        onInterrupt(presses)
        condition.lock()
      }
    }
    condition.unlock()
    guard let value = box.value else {
      preconditionFailure("EvaluationThread: job finished without a result")
    }
    return value
  }

  /// The thread's loop: waits for a job, runs it, reports it finished.
  private func serve() -> Never {
    InterruptSignal.blockInCurrentThread()
    while true {
      condition.lock()
      while pendingJob == nil { condition.wait() }
      let job = pendingJob
      pendingJob = nil
      condition.unlock()
      job?()
      condition.lock()
      jobFinished = true
      condition.broadcast()
      condition.unlock()
    }
  }
}

/// Carries a result from the evaluation thread to the waiting main thread (the condition's lock
/// orders the write before the read).
private final class ResultBox<Value> {
  var value: Value?
}
