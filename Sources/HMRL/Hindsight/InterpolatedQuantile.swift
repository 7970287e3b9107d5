/// The q-quantile of `sorted` (ascending, not empty, 0 ≤ q ≤ 1) by linear interpolation between
/// the closest ranks — numpy's default — and the upper of the two values it lies between. Shared
/// by the buffer's top-quantile criterion and Algorithm 1's ε quantile.
func interpolatedQuantile(sorted s: [Double], _ q: Double) -> (value: Double, upper: Double) {
  let position = q * Double(s.count - 1)
  let lo = Int(position.rounded(.down)), hi = min(lo + 1, s.count - 1)
  return (s[lo] + (s[hi] - s[lo]) * (position - Double(lo)), s[hi])
}
