import Foundation
import Testing
@testable import HMRL

/// |actual − expected| ≤ relative·|expected| (exact equality for 0 and ±∞).
func expectRelative(_ actual: Double, _ expected: Double, _ relative: Double = 1e-12,
                    _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
  if expected.isInfinite || expected == 0 {
    #expect(actual == expected, "\(what): got \(actual), expected \(expected)", sourceLocation: sourceLocation)
    return
  }
  let err = abs(actual - expected)
  #expect(err <= relative * abs(expected),
          "\(what): got \(actual), expected \(expected) (relative error \(err / abs(expected)))",
          sourceLocation: sourceLocation)
}

/// |a − b| ≤ z·sqrt(se_a² + se_b²) (+ a tiny absolute floor for exact estimates).
func expectWithinStandardErrors(_ a: Double, _ b: Double, standardError: Double, z: Double = 4,
                                _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let allowed = z * standardError + 1e-12
  #expect(abs(a - b) <= allowed,
          "\(what): \(a) vs \(b) differ by \(abs(a - b)), allowed \(allowed) (\(z) SE)",
          sourceLocation: sourceLocation)
}

/// Expects `body` to throw an `RLError` of `kind` whose description contains `fragment`.
func expectRLError<T>(_ kind: RLError.Kind, containing fragment: String,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> T) {
  do {
    _ = try body()
    Issue.record("expected an error containing \"\(fragment)\", got success", sourceLocation: sourceLocation)
  } catch let error as RLError {
    #expect(error.kind == kind, "kind \(error.kind) for \(error)", sourceLocation: sourceLocation)
    #expect(error.description.contains(fragment), "message \"\(error)\" lacks \"\(fragment)\"",
            sourceLocation: sourceLocation)
  } catch {
    Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
  }
}
