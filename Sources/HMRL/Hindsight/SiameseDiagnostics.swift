#if canImport(Glibc)
import Glibc
#endif
import HMTensor

/// How well a task metric separates labelled pairs (DESIGN.md §4: Algorithm 1's held-out pair
/// accuracy and AUC).
///
/// `auc` and the rates are NaN when undefined (see ``siameseDiagnostics(predictions:labels:)``);
/// as NaN ≠ NaN, two such values compare unequal, and JSON encoders that reject NaN need a
/// non-conforming-float strategy.
public struct SiameseDiagnostics: Sendable, Equatable, Codable {
  /// The number of pairs.
  public var count: Int
  /// The fraction of pairs whose prediction is right at threshold 0.5 (f ≥ 0.5 predicts similar).
  public var accuracy: Double
  /// The area under the ROC curve: the probability that a random similar pair scores above a
  /// random dissimilar one, ties counting ½ (Mann–Whitney U / (n₊ n₋)).
  public var auc: Double
  /// The mean binary cross-entropy, in nats.
  public var loss: Double
  /// The fraction of pairs labelled similar (the label base rate).
  public var positiveRate: Double

  public init(count: Int, accuracy: Double, auc: Double, loss: Double, positiveRate: Double) {
    self.count = count
    self.accuracy = accuracy
    self.auc = auc
    self.loss = loss
    self.positiveRate = positiveRate
  }
}

/// Accuracy, AUC, BCE and base rate of probabilities `predictions` against `labels`.
///
/// The BCE clamps p to [1e−15, 1 − 1e−15] (at most ≈ 34.5 nats per pair; scikit-learn's
/// `log_loss` does the same); ``SiameseNetwork/diagnostics(_:pairs:)`` computes it exactly from
/// logits. With no pairs every rate is NaN; with only one label present `auc` is NaN (no pair
/// of opposite labels to rank).
///
/// ```swift
/// let d = try siameseDiagnostics(predictions: [0.9, 0.4, 0.4, 0.1], labels: [true, true, false, false])
/// // d.auc == 0.875 (the tie between 0.4 and 0.4 counts ½), d.accuracy == 0.75
/// ```
/// - Throws: `RLError` naming `siameseDiagnostics` when the counts differ or a prediction is
///   NaN or outside [0, 1].
/// - Complexity: O(n log n).
public func siameseDiagnostics(predictions: [Double], labels: [Bool]) throws -> SiameseDiagnostics {
  let op = "siameseDiagnostics"
  guard predictions.count == labels.count else {
    throw RLError(.shapeMismatch, op, "\(predictions.count) predictions but \(labels.count) labels")
  }
  if let k = predictions.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
    throw RLError(.invalidProbability, op, "prediction \(k) is \(predictions[k]), not a probability in [0, 1]")
  }
  let epsilon = 1e-15
  let losses = zip(predictions, labels).map { p, y in -log(min(max(y ? p : 1 - p, epsilon), 1)) }
  return summarize(scores: predictions, predictedSimilar: predictions.map { $0 >= 0.5 }, losses: losses, labels: labels)
}

/// The diagnostics of per-pair ranking scores, hard predictions and losses.
func summarize(scores: [Double], predictedSimilar: [Bool], losses: [Double], labels: [Bool]) -> SiameseDiagnostics {
  let n = labels.count
  guard n > 0 else { return SiameseDiagnostics(count: 0, accuracy: .nan, auc: .nan, loss: .nan, positiveRate: .nan) }
  let correct = zip(predictedSimilar, labels).filter { $0 == $1 }.count
  let positives = labels.filter { $0 }.count
  return SiameseDiagnostics(count: n, accuracy: Double(correct) / Double(n),
                            auc: areaUnderROC(scores: scores, labels: labels),
                            loss: losses.reduce(0, +) / Double(n),
                            positiveRate: Double(positives) / Double(n))
}

/// AUC by Mann–Whitney: (R₊ − n₊(n₊ + 1)/2) / (n₊ n₋), R₊ the sum of the positives' ranks with
/// tied scores given their mean rank. NaN when either class is absent.
func areaUnderROC(scores: [Double], labels: [Bool]) -> Double {
  let positives = labels.filter { $0 }.count, negatives = labels.count - positives
  guard positives > 0, negatives > 0 else { return .nan }
  let order = scores.indices.sorted { scores[$0] < scores[$1] }
  var rankSum = 0.0
  var start = 0
  while start < order.count {
    var end = start + 1
    while end < order.count && scores[order[end]] == scores[order[start]] { end += 1 }
    let meanRank = Double(start + 1 + end) / 2  // ranks start+1 … end
    for k in start..<end where labels[order[k]] { rankSum += meanRank }
    start = end
  }
  let p = Double(positives)
  return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
}

extension SiameseNetwork {
  /// The diagnostics of f_φ on labelled `pairs` of `tasks` (held-out pairs, typically): the BCE
  /// exactly from the logits (softplus(z) − y·z), AUC ranked by the logits (no ties from σ
  /// saturating), accuracy at f ≥ 0.5 (z ≥ 0).
  /// - Throws: `RLError` naming `siamese.diagnostics` as ``similarities(_:pairs:)`` does.
  public func diagnostics(_ tasks: [TaskDescription], pairs: [TaskPair]) throws -> SiameseDiagnostics {
    let z = try logits(tasks, pairs: pairs, operation: "siamese.diagnostics")
    let losses = zip(z, pairs).map { z, p in max(z, 0) + log1p(exp(-Swift.abs(z))) - (p.similar ? z : 0) }
    return summarize(scores: z, predictedSimilar: z.map { $0 >= 0 }, losses: losses, labels: pairs.map(\.similar))
  }
}

/// The result of ``oneShotRetrievalAccuracy(similarity:pairs:ways:trials:using:)``.
public struct OneShotRetrieval: Sendable, Equatable, Codable {
  /// The mean credit over the trials run (NaN when none ran).
  public var accuracy: Double
  /// The trials run: the number asked for, or 0 when no query has enough candidates.
  public var trials: Int
  /// The tasks with at least one similar and `ways − 1` dissimilar labelled partners.
  public var eligibleQueries: Int
}

/// N-way one-shot retrieval (Koch et al. 2015): each trial draws a query task q, one task s⁺
/// labelled similar to q and N − 1 distinct tasks labelled dissimilar to q, and scores 1 when
/// similarity[q][s⁺] is strictly the largest of the N, 0 when another candidate scores higher,
/// and 1/(1 + t) when s⁺ ties with t candidates at the top (the expected score of a uniformly
/// random tie-break, so a constant similarity scores exactly 1/N).
///
/// Queries are drawn uniformly among the *eligible* tasks, those with at least one similar and
/// N − 1 dissimilar labelled partners; others are skipped (never drawn). Labels come from
/// `pairs` in both directions; a pair of a task with itself is ignored; when a pair is labelled
/// twice the last label wins.
///
/// - Parameters:
///   - similarity: `[n][n]` scores (e.g. ``SiameseNetwork/similarityMatrix(_:)``); only the
///     query rows are read.
///   - ways: N ≥ 2.
///   - trials: Trials to run (≥ 0), drawn from `rng`.
/// - Throws: `RLError` naming `oneShotRetrieval` for a non-square or non-finite matrix, a pair
///   out of range, `ways < 2` or `trials < 0`.
/// - Complexity: O(n² + pairs + trials · (N + n)).
public func oneShotRetrievalAccuracy(similarity: [[Double]], pairs: [TaskPair], ways: Int, trials: Int,
                                     using rng: inout RandomStream) throws -> OneShotRetrieval {
  let op = "oneShotRetrieval"
  let n = similarity.count
  guard similarity.allSatisfy({ $0.count == n }) else {
    throw RLError(.shapeMismatch, op, "the similarity matrix is not square (\(n) rows of sizes \(Set(similarity.map(\.count)).sorted()))")
  }
  guard similarity.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
    throw RLError(.invalidArgument, op, "the similarity matrix has non-finite entries")
  }
  guard ways >= 2 else { throw RLError(.invalidArgument, op, "ways must be at least 2, got \(ways)") }
  guard trials >= 0 else { throw RLError(.invalidArgument, op, "trials must be at least 0, got \(trials)") }
  try checkPairs(pairs, taskCount: n, operation: op)
  var label = [[Bool?]](repeating: [Bool?](repeating: nil, count: n), count: n)
  for p in pairs where p.first != p.second {
    label[p.first][p.second] = p.similar
    label[p.second][p.first] = p.similar
  }
  let similar = label.map { row in row.indices.filter { row[$0] == true } }
  let dissimilar = label.map { row in row.indices.filter { row[$0] == false } }
  let eligible = (0..<n).filter { !similar[$0].isEmpty && dissimilar[$0].count >= ways - 1 }
  guard !eligible.isEmpty, trials > 0 else {
    return OneShotRetrieval(accuracy: .nan, trials: 0, eligibleQueries: eligible.count)
  }
  var credit = 0.0
  for _ in 0..<trials {
    let q = eligible[Int(rng.next() % UInt64(eligible.count))]
    let target = similar[q][Int(rng.next() % UInt64(similar[q].count))]
    var pool = dissimilar[q]
    var higher = 0, tied = 0
    for k in 0..<(ways - 1) {  // partial Fisher–Yates: N − 1 distinct candidates
      pool.swapAt(k, k + Int(rng.next() % UInt64(pool.count - k)))
      let s = similarity[q][pool[k]]
      if s > similarity[q][target] { higher += 1 } else if s == similarity[q][target] { tied += 1 }
    }
    credit += higher > 0 ? 0 : 1 / Double(1 + tied)
  }
  return OneShotRetrieval(accuracy: credit / Double(trials), trials: trials, eligibleQueries: eligible.count)
}
