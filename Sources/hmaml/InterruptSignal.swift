import CLibEdit

/// The process's SIGINT (Ctrl-C) handling.
///
/// The handler (C, in `shim.h`) only increments an atomic counter: it is async-signal-safe and
/// installed without `SA_RESTART`, so Ctrl-C at the prompt makes libedit's blocking read fail
/// with EINTR (`el_gets` returns count −1: the REPL drops the line). While an evaluation runs on
/// the `EvaluationThread`, the main thread polls the counter and calls the session's
/// `requestInterrupt()`; the signal is blocked in the evaluation thread, so it always lands on
/// the main thread.
///
/// NOTE: the counter is allocated here, not as a `static` in `shim.h`: a header static gets one
/// copy per object file, and whole-module optimisation inlines across files (the release build
/// then counted in one copy and read another).
enum InterruptSignal {
  /// The process-wide count of presses not yet taken. Allocated once (before the handler is
  /// installed, so the handler never runs the lazy initialiser) and never freed.
  private static let pendingCount: UnsafeMutablePointer<Int32> = {
    let counter = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    counter.initialize(to: 0)
    return counter
  }()

  /// Installs the handler and unblocks the terminal signals (a parent may have blocked them);
  /// call once on the main thread, before starting other threads.
  /// - Throws: `CLIError.system` when `sigaction` fails.
  static func install() throws {
    _ = hm_unblock_terminal_signals()
    _ = pendingCount
    if hm_install_sigint_handler({ _ in hm_atomic_increment(InterruptSignal.pendingCount) }) != 0 {
      throw CLIError.system("cannot install the SIGINT handler (errno \(hm_errno()))")
    }
  }

  /// The number of Ctrl-C presses since the last call (0 when none), resetting the count.
  static func takePending() -> Int {
    Int(hm_atomic_take(pendingCount))
  }

  /// Blocks SIGINT in the calling thread (the evaluation thread), so the main thread gets it.
  static func blockInCurrentThread() {
    _ = hm_block_sigint_in_this_thread()
  }
}
