#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Which divergence a batched call computes, row by row.
public enum CategoricalDivergence: String, Sendable, CaseIterable {
  /// KL(pᵢ‖qᵢ).
  case kullbackLeibler
  /// J(pᵢ, qᵢ), Jensen–Shannon.
  case jensenShannon
  /// sqrt J(pᵢ, qᵢ), the Jensen–Shannon distance.
  case jensenShannonDistance
  /// S(pᵢ, qᵢ) = (KL(pᵢ‖qᵢ) + KL(qᵢ‖pᵢ))/2.
  case symmetricKullbackLeibler
}

/// Many state-wise divergences in one call: row i of `p` against row i of `q`.
///
/// The buffers are flat row-major tables: row i occupies
/// `p[i*rowStride ..< i*rowStride + rowLength]` (`rowStride ≥ rowLength`, so padded rows are
/// allowed). This is how policy tables π[s][a] are stored, so d_P, d_E and P call it with one
/// row per state.
///
/// - Parameters:
///   - divergence: what to compute per row.
///   - p: flat buffer with at least `(rowCount−1)*rowStride + rowLength` entries.
///   - q: same layout as `p`.
///   - rowCount: number of pairs (≥ 0).
///   - rowLength: categories per row (≥ 1).
///   - rowStride: distance between row starts (defaults to `rowLength`).
///   - base: `.natural` (nats) or `.two` (bits).
/// - Returns: `[rowCount]` divergences.
/// - Throws: `RLError` naming `categoricalDivergenceRows` when sizes do not fit, or a row is
///   not a probability vector (the message names the row).
/// - Complexity: O(rowCount · rowLength).
public func categoricalDivergenceRows(
  _ divergence: CategoricalDivergence, p: [Double], q: [Double],
  rowCount: Int, rowLength: Int, rowStride: Int? = nil, base: LogBase = .natural
) throws -> [Double] {
  let op = "categoricalDivergenceRows"
  let stride = rowStride ?? rowLength
  guard rowCount >= 0, rowLength >= 1, stride >= rowLength else {
    throw RLError(.invalidArgument, op,
                  "need rowCount >= 0, rowLength >= 1 and rowStride >= rowLength; got \(rowCount), \(rowLength), \(stride)")
  }
  if rowCount == 0 { return [] }
  let (span, overflow) = (rowCount - 1).multipliedReportingOverflow(by: stride)
  let needed = overflow ? Int.max : span.addingReportingOverflow(rowLength).partialValue
  guard !overflow, needed >= span, p.count >= needed, q.count >= needed else {
    throw RLError(.shapeMismatch, op,
                  "\(rowCount) rows of length \(rowLength) with stride \(stride) need \(needed) entries; p has \(p.count), q has \(q.count)")
  }
  for i in 0..<rowCount {
    let lo = i * stride
    try validateProbabilities(p[lo..<lo + rowLength], operation: op, name: "p row \(i)")
    try validateProbabilities(q[lo..<lo + rowLength], operation: op, name: "q row \(i)")
  }
  var out = [Double](repeating: 0, count: rowCount)
  let scale = base.fromNats
  p.withUnsafeBufferPointer { pb in
    q.withUnsafeBufferPointer { qb in
      guard let pp = pb.baseAddress, let qp = qb.baseAddress else { return }
      for i in 0..<rowCount {
        let a = pp + i * stride, b = qp + i * stride
        let nats: Double
        switch divergence {
        case .kullbackLeibler:
          nats = kullbackLeiblerKernel(a, b, count: rowLength)
        case .jensenShannon, .jensenShannonDistance:
          nats = jensenShannonKernel(a, b, count: rowLength)
        case .symmetricKullbackLeibler:
          nats = 0.5 * (kullbackLeiblerKernel(a, b, count: rowLength)
                        + kullbackLeiblerKernel(b, a, count: rowLength))
        }
        out[i] = divergence == .jensenShannonDistance ? (nats * scale).squareRoot() : nats * scale
      }
    }
  }
  return out
}
