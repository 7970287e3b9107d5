#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HMTensor

/// The buffer R of the note's §II and Algorithm 1: (task, trajectory) pairs kept because they
/// performed well, to guide later training on similar tasks.
///
/// Insertion (Algorithm 1, lines 9–10): a batch τ′ sampled with the adapted π_θ′ᵢ on Tᵢ enters
/// when L_Tᵢ(π_θ′ᵢ, τ′) < δ, where L is minus the average undiscounted return of τ′'s episodes (so
/// δ is in return units); or, by the top-quantile rule, the episodes whose return is at least the
/// q-quantile of their batch enter. Every step keeps its behaviour log-probability, for the
/// importance weights of guided training.
///
/// Capacity and eviction: at most `capacity` trajectories; when full, an insertion first evicts
/// the entry with the lowest return (the oldest among equals) — or, with `.oldest`, the earliest
/// inserted (FIFO). An entry that would itself be evicted at once is not inserted.
public struct TrajectoryBuffer: Sendable, Equatable {
  public enum Eviction: String, Codable, Sendable, CaseIterable {
    /// Evict the lowest-return entry (the oldest among equal returns).
    case lowestReturn = "lowest_return"
    /// Evict the earliest inserted entry.
    case oldest
  }

  /// How `insert` decides.
  public enum Criterion: Sendable, Equatable {
    /// Algorithm 1: the whole batch when L = −mean return < δ.
    case lossBelow(Double)
    /// The episodes at or above the q-quantile of their batch's returns (q in [0, 1]).
    case topQuantile(Double)
  }

  public struct Entry: Sendable, Equatable {
    public let trajectory: Trajectory
    /// Insertion order (0, 1, 2, …).
    public let sequence: Int
    public var taskIndex: Int { trajectory.taskIndex }
    public var features: [Double] { trajectory.features }
    public var undiscountedReturn: Double { trajectory.undiscountedReturn }
  }

  public let capacity: Int
  public let eviction: Eviction
  public private(set) var entries: [Entry] = []
  private var nextSequence = 0

  /// - Throws: `RLError` for a capacity outside 1...10 000 000.
  public init(capacity: Int = 10_000, eviction: Eviction = .lowestReturn) throws {
    guard capacity >= 1, capacity <= 10_000_000 else {
      throw RLError(.invalidArgument, "buffer", "capacity must be in 1...10000000, got \(capacity)")
    }
    self.capacity = capacity
    self.eviction = eviction
  }

  public var count: Int { entries.count }

  /// Applies `criterion` to a batch; returns how many trajectories entered.
  /// - Throws: `RLError` for δ not finite or q outside [0, 1].
  @discardableResult
  public mutating func insert(_ batch: Batch, criterion: Criterion) throws -> Int {
    let trajectories = batch.trajectories()
    guard !trajectories.isEmpty else { return 0 }
    let chosen: [Trajectory]
    switch criterion {
    case .lossBelow(let delta):
      guard delta.isFinite else { throw RLError(.invalidArgument, "buffer.insert", "delta must be finite, got \(delta)") }
      chosen = -batch.meanReturn < delta ? trajectories : []
    case .topQuantile(let q):
      guard q >= 0, q <= 1 else { throw RLError(.invalidArgument, "buffer.insert", "quantile must be in [0, 1], got \(q)") }
      let threshold = TrajectoryBuffer.quantile(trajectories.map(\.undiscountedReturn), q)
      chosen = trajectories.filter { $0.undiscountedReturn >= threshold }
    }
    var inserted = 0
    for t in chosen where insert(t) { inserted += 1 }
    return inserted
  }

  /// Inserts one trajectory under the eviction policy; false when it would be evicted at once.
  @discardableResult
  public mutating func insert(_ trajectory: Trajectory) -> Bool {
    let entry = Entry(trajectory: trajectory, sequence: nextSequence)
    nextSequence += 1
    if entries.count < capacity { entries.append(entry); return true }
    switch eviction {
    case .oldest:
      entries.removeFirst()
      entries.append(entry)
      return true
    case .lowestReturn:
      guard let worst = entries.indices.min(by: {
        (entries[$0].undiscountedReturn, entries[$0].sequence) < (entries[$1].undiscountedReturn, entries[$1].sequence)
      }) else { return false }
      guard entries[worst].undiscountedReturn < entry.undiscountedReturn else { return false }
      entries.remove(at: worst)
      entries.append(entry)
      return true
    }
  }

  /// k entries drawn uniformly without replacement among those satisfying `predicate`
  /// (fewer when fewer qualify), in a random order from `rng`.
  public func sample(_ k: Int, where predicate: (Entry) throws -> Bool = { _ in true },
                     using rng: inout RandomStream) rethrows -> [Entry] {
    var pool = try entries.filter(predicate)
    pool.shuffle(using: &rng)
    return Array(pool.prefix(max(0, k)))
  }

  /// The k entries with the highest `score` (ties: the more recent first).
  public func ranked(_ k: Int, by score: (Entry) throws -> Double) rethrows -> [Entry] {
    let scored = try entries.map { ($0, try score($0)) }.filter { !$0.1.isNaN }
    return scored.sorted { ($0.1, $0.0.sequence) > ($1.1, $1.0.sequence) }.prefix(max(0, k)).map(\.0)
  }

  /// Size, trajectories per task, and the returns' mean, minimum and maximum.
  public var statistics: (count: Int, perTask: [Int: Int], meanReturn: Double, minReturn: Double, maxReturn: Double) {
    let returns = entries.map(\.undiscountedReturn)
    var perTask: [Int: Int] = [:]
    for e in entries { perTask[e.taskIndex, default: 0] += 1 }
    return (entries.count, perTask, returns.isEmpty ? .nan : returns.reduce(0, +) / Double(returns.count),
            returns.min() ?? .nan, returns.max() ?? .nan)
  }

  var nextSequenceForSaving: Int { nextSequence }
  mutating func restore(_ entry: Entry) { entries.append(entry) }
  mutating func restoreSequence(_ n: Int) { nextSequence = n }

  /// The q-quantile (linear interpolation, numpy's default) of non-empty values.
  static func quantile(_ values: [Double], _ q: Double) -> Double {
    interpolatedQuantile(sorted: values.sorted(), q).value
  }
}
