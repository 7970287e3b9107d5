import Foundation

/// Paths shared by the test targets.
public enum TestPaths {
  /// The repository root (this file is Tests/HMTestSupport/TestSupport.swift).
  public static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  /// `../shared` beside the repository (fixtures, peer benchmarks).
  public static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
  public static func fixture(_ name: String) -> URL { shared.appendingPathComponent("fixtures").appendingPathComponent(name) }
}

/// Relative closeness for numeric assertions: |a − b| ≤ tol · max(1, |a|, |b|).
public func isClose(_ a: Double, _ b: Double, relative tol: Double) -> Bool {
  if a == b { return true }
  if a.isNaN || b.isNaN { return false }
  return abs(a - b) <= tol * max(1, abs(a), abs(b))
}
