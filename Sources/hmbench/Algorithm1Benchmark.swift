import ArgumentParser
import Foundation
import HMRL
import HMTensor

/// `hmbench algorithm1`: one iteration of Algorithm 1 (`hindsight`, DESIGN.md §6) on N goal
/// tasks of a four-rooms maze, for each N of `--tasks`: wall time, the share of each phase, the
/// N(N−1)/2 pairs and the peak RSS, with one thread and with all threads.
///
/// The family: a 20×20 map, four rooms (9×9 down to 8×8) joined by four doors (293 free cells,
/// start in the middle of the top-left room), sparse reward, horizon 40; every free cell but the
/// start is a goal (292 tasks), and N of them are taken evenly spaced in row-major order. The policy is
/// `CategoricalMLPPolicy` over one-hot observations (293 → 64 → 64 → 4, float32); f_φ is the
/// default Siamese net over the goals' coordinates (`inputSize` 2). The configuration is
/// `HindsightConfiguration`'s defaults with one iteration, 20 episodes and 100 Siamese steps.
///
/// Each (N, threads) runs in a fresh process (this binary re-executed with `--child`,
/// `HMAML_THREADS` set) so that its peak RSS (`VmHWM` of `/proc/self/status`) is not an earlier,
/// larger N's: one warm-up iteration, then `--iters` timed ones (the same seed, so the same work).
/// The divergence matrices of all thread counts must agree (DESIGN.md §7), or the run fails.
///
/// NOTE: every task's `TabularEnvironment` holds its own dense S×A×S transition and reward
/// tables and an S×S one-hot table (S = 293: 5.9 MiB a task), so the tasks alone take
/// N × 5.9 MiB; the "tasks RSS" column is the RSS once they are built, before Algorithm 1.
struct Algorithm1Benchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "algorithm1", abstract: "One Algorithm 1 iteration vs the number of tasks N (N² pairs).")

  @Option(help: "Numbers of tasks N, comma-separated (at most 292).") var tasks = "16,64,256"
  @Option(help: "Timed iterations per N (the median is reported).") var iters = 3
  @Option(help: .hidden) var child: Int? = nil

  func run() throws {
    HeapTuning.keepFreedMemoryForReuse()
    if let n = child {
      let m = try Algorithm1Measurement.measure(tasks: n, iterations: iters)
      print(String(decoding: try JSONEncoder().encode(m), as: UTF8.self))
      return
    }
    let counts = try tasks.split(separator: ",").map { s -> Int in
      guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n >= 2 else {
        throw ValidationError("--tasks: '\(s)' is not a number of tasks ≥ 2")
      }
      return n
    }
    guard iters >= 1 else { throw ValidationError("--iters must be at least 1") }
    let me = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let all = Parallelism.defaultThreadCount
    let threadCounts = Array(Set([1, all])).sorted()
    print("algorithm1: one iteration of hindsight(), four-rooms maze (S = \(Algorithm1Measurement.stateCount)), sparse reward, horizon 40, 20 episodes, policy \(Algorithm1Measurement.stateCount)→64→64→4, 100 Siamese steps; median of \(iters) after 1 warm-up; fresh process per row")
    print("Phases in seconds (share of the wall time); other: R's insertions and f_φ's diagnostics.")
    print("| N | pairs | threads | wall s | sampling | adaptation | divergences | Siamese | other | tasks RSS MiB | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in counts {
      var wall: [Int: Double] = [:], checksums: Set<Double> = []
      for t in threadCounts {
        let out = try TensorBenchClock.run(me, ["algorithm1", "--child", "\(n)", "--iters", "\(iters)"],
                                           environment: ["HMAML_THREADS": "\(t)"])
        guard let line = out.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
          throw ValidationError("the child for N = \(n) printed no measurement")
        }
        let m = try JSONDecoder().decode(Algorithm1Measurement.self, from: Data(line.utf8))
        wall[t] = m.wall
        checksums.insert(m.checksum)
        let share = { (x: Double) in String(format: "%.3f (%.0f%%)", x, 100 * x / m.wall) }
        print("| \(n) | \(n * (n - 1) / 2) | \(t) | " + String(format: "%.3f", m.wall)
              + " | \(share(m.sampling)) | \(share(m.adaptation)) | \(share(m.divergences)) | \(share(m.siamese)) | "
              + "\(share(m.wall - m.sampling - m.adaptation - m.divergences - m.siamese)) | "
              + String(format: "%.0f | %.0f |", m.tasksRSS, m.peakRSS))
      }
      guard checksums.count == 1 else {
        throw ValidationError("N = \(n): the divergences differ between thread counts (sums \(checksums.sorted()))")
      }
      if let one = wall[1], let many = wall[all], all > 1 {
        print(String(format: "N = %d: %d threads %.2f× faster than 1", n, all, one / many))
      }
    }
  }
}

/// One (N, threads) measurement, as the child process reports it: medians over the timed
/// iterations of the record's phase times (seconds) and memory (MiB).
struct Algorithm1Measurement: Codable {
  var wall, sampling, adaptation, divergences, siamese: Double
  /// RSS once the N tasks are built, and the process's peak RSS after the last iteration.
  var tasksRSS, peakRSS: Double
  /// The sum of the last divergence matrix, to check that every thread count did the same work.
  var checksum: Double

  /// 20×20: a border, a wall across row 10 and down column 10 with a door in each half.
  static let map: String = {
    var rows: [[Character]] = (0..<20).map { r in
      (0..<20).map { c in r == 0 || r == 19 || c == 0 || c == 19 || r == 10 || c == 10 ? "#" : "." }
    }
    for (r, c) in [(10, 5), (10, 14), (5, 10), (14, 10)] { rows[r][c] = "." }
    rows[5][5] = "S"
    return rows.map { String($0) }.joined(separator: "\n")
  }()
  static let stateCount = map.filter { $0 != "#" && $0 != "\n" }.count

  static func measure(tasks n: Int, iterations: Int) throws -> Algorithm1Measurement {
    let maze = try GridMaze(map: map, horizon: 40, reward: .sparse)
    let family = try goalTasks(maze)
    guard n >= 2, n <= family.count else {
      throw ValidationError("N must be in 2...\(family.count), got \(n)")
    }
    let envs = try (0..<n).map { i -> TabularEnvironment in
      let task = family[i * family.count / n]
      return try TabularEnvironment(maze: try task.maze(), observation: .oneHot, features: task.features)
    }
    let tasksRSS = try residentMiB("VmRSS")
    let policy = try CategoricalMLPPolicy(observationSize: maze.stateCount, actionCount: 4, hidden: [64, 64])
    var rng = RandomStream(seed: 0, stream: [0])
    let theta = try policy.initialParameters(using: &rng)
    var c = HindsightConfiguration()
    c.iterations = 1; c.episodes = 20; c.siameseSteps = 100
    var records: [HindsightIterationRecord] = []
    var checksum = 0.0
    for k in 0...iterations {
      let r = try hindsight(policy: policy, tasks: envs, metaParameters: theta, buffer: try TrajectoryBuffer(),
                            siamese: try SiameseNetwork(configuration: SiameseConfiguration(inputSize: 2)),
                            configuration: c)
      if k > 0 { records += r.records }                                    // k = 0 warms up
      checksum = r.divergences.joined().reduce(0, +)
    }
    let med = { (f: (HindsightIterationRecord) -> Double) in TensorBenchClock.median(records.map(f)) }
    return Algorithm1Measurement(wall: med(\.wallTime), sampling: med(\.samplingTime), adaptation: med(\.adaptationTime),
                                 divergences: med(\.divergenceTime), siamese: med(\.siameseTime),
                                 tasksRSS: tasksRSS, peakRSS: try residentMiB("VmHWM"), checksum: checksum)
  }

  /// A `kB` line of `/proc/self/status` (`VmRSS`, `VmHWM`), in MiB.
  static func residentMiB(_ field: String) throws -> Double {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
          let kb = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else {
      throw ValidationError("no \(field) in /proc/self/status")
    }
    return kb / 1024
  }
}
