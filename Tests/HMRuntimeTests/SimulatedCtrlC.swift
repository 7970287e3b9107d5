import Foundation
import HMRuntime

/// An interpreter with a Ctrl-C flag of its own (tests run in parallel: the process-wide flag
/// would interrupt their neighbours), and a watchdog that presses it.
struct SimulatedCtrlC {
  let interpreter: Interpreter
  nonisolated(unsafe) let flag: UnsafeMutablePointer<Int32>

  init(output: @escaping (String) -> Void = { _ in }) {
    interpreter = Interpreter(output: output)
    flag = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    flag.initialize(to: 0)
    interpreter.vm.interruptFlag = flag
  }

  /// Sets the flag after `microseconds`, from another thread (as the SIGINT handler would).
  func press(after microseconds: UInt32) {
    nonisolated(unsafe) let flag = self.flag
    Thread { usleep(microseconds); flag.pointee = 1 }.start()
  }
}
