#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The buffer's file format (docs/hindsight.md): JSON with a format tag and version,
/// `{"format": "hmaml-trajectory-buffer", "version": 1, "capacity", "eviction", "next_sequence",
/// "entries": [{"sequence", "task", "features", "observation_size", "action_size", "terminated",
/// "observations", "actions", "rewards", "log_probs", "final_observation"}]}` (`final_observation`
/// may be absent: files written before it existed still load)`, written atomically (temporary file,
/// then rename) and validated on reading (shapes, finiteness, capacity).
extension TrajectoryBuffer {
  struct FileEntry: Codable {
    var sequence: Int, task: Int, features: [Double]
    var observation_size: Int, action_size: Int, terminated: Bool
    var observations: [Double], actions: [Double], rewards: [Double], log_probs: [Double]
    var final_observation: [Double]?
  }
  struct File: Codable {
    var format: String, version: Int, capacity: Int, eviction: Eviction, next_sequence: Int
    var entries: [FileEntry]
  }

  /// Writes the buffer atomically, creating the folders leading to `path` (``writeAtomically``).
  /// - Throws: `RLError` naming `buffer.save` with the system's reason when it cannot be written.
  public func save(to path: String) throws {
    let file = File(format: "hmaml-trajectory-buffer", version: 1, capacity: capacity, eviction: eviction,
                    next_sequence: nextSequenceForSaving, entries: entries.map { e in
      let t = e.trajectory
      return FileEntry(sequence: e.sequence, task: t.taskIndex, features: t.features, observation_size: t.observationSize,
                       action_size: t.actionSize, terminated: t.terminated, observations: t.observations,
                       actions: t.actions, rewards: t.rewards, log_probs: t.logProbs,
                       final_observation: t.finalObservation.isEmpty ? nil : t.finalObservation)
    })
    let data: Data
    do { data = try JSONEncoder().encode(file) } catch {
      throw RLError(.invalidArgument, "buffer.save", "cannot encode the buffer (non-finite numbers?): \(error)")
    }
    try writeAtomically(Array(data), to: path, operation: "buffer.save")
  }

  /// Reads and validates a buffer file.
  /// - Throws: `RLError` naming the file and the problem.
  public static func load(from path: String) throws -> TrajectoryBuffer {
    let op = "buffer.load"
    guard let data = FileManager.default.contents(atPath: path) else { throw RLError(.invalidArgument, op, "cannot read \(path)") }
    let file: File
    do { file = try JSONDecoder().decode(File.self, from: data) } catch {
      throw RLError(.invalidArgument, op, "\(path) is not a trajectory buffer file: \(error)")
    }
    guard file.format == "hmaml-trajectory-buffer", file.version == 1 else {
      throw RLError(.invalidArgument, op, "\(path): unknown format \(file.format) version \(file.version)")
    }
    var buffer = try TrajectoryBuffer(capacity: file.capacity, eviction: file.eviction)
    guard file.entries.count <= file.capacity else { throw RLError(.invalidArgument, op, "\(path): more entries than capacity") }
    for (i, e) in file.entries.enumerated() {
      let n = e.rewards.count
      guard e.observation_size >= 1, e.action_size >= 1, e.observations.count == n * e.observation_size,
            e.actions.count == n * e.action_size, e.log_probs.count == n,
            (e.final_observation.map { $0.count == e.observation_size } ?? true),
            (e.observations + e.actions + e.rewards + e.features + (e.final_observation ?? [])).allSatisfy(\.isFinite),
            e.log_probs.allSatisfy({ !$0.isNaN }) else {
        throw RLError(.invalidArgument, op, "\(path): entry \(i) has inconsistent shapes or non-finite numbers")
      }
      let t = Trajectory(observations: e.observations, actions: e.actions, rewards: e.rewards, logProbs: e.log_probs,
                         observationSize: e.observation_size, actionSize: e.action_size, terminated: e.terminated,
                         taskIndex: e.task, features: e.features, finalObservation: e.final_observation ?? [])
      buffer.restore(Entry(trajectory: t, sequence: e.sequence))
    }
    buffer.restoreSequence(max(file.next_sequence, (file.entries.map(\.sequence).max() ?? -1) + 1))
    return buffer
  }
}
