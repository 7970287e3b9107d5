import Foundation
import Testing
@testable import HMPlot

@Suite struct TicksTests {
  @Test func niceTicks() {
    let t = TickScale(covering: 0.13...0.97, targetCount: 5)
    #expect(t.lower == 0 && t.step == 0.2)
    #expect(abs(t.upper - 1) < 1e-12)
    #expect(t.values.map(t.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    let big = TickScale(covering: -90...(-8), targetCount: 6)
    #expect(big.values.map(big.label) == ["-100", "-80", "-60", "-40", "-20", "0"])
  }

  @Test func degenerateAndNonFiniteRanges() {
    #expect(Ticks.nonDegenerate(3...3) == 2.7...3.3)
    #expect(Ticks.nonDegenerate(0...0) == -1...1)
    #expect(Ticks.nonDegenerate(-Double.infinity...0) == 0...1)
    let t = TickScale(covering: 5...5)
    #expect(t.lower < 5 && t.upper > 5 && t.values.count >= 2)
    let huge = TickScale(covering: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
    #expect(huge.values.count >= 2 && huge.values.count < 1000)
    #expect(TickScale(covering: 0...1e-300).values.count < 1000)
  }

  @Test func finiteExtentSkipsNonFinite() {
    #expect(Ticks.finiteExtent([[1, .nan, 3], [.infinity, -2]]) == -2...3)
    #expect(Ticks.finiteExtent([[Double.nan]]) == nil)
    #expect(Ticks.finiteExtent([[Double]]()) == nil)
  }

  @Test func compactNumbers() {
    #expect(Ticks.compact(-21.3) == "-21.3")
    #expect(Ticks.compact(0.012345) == "0.01235")
    #expect(Ticks.compact(1234.7) == "1235")
    #expect(Ticks.compact(1.5e6) == "1.50e+06")
    #expect(Ticks.compact(0) == "0")
    #expect(Ticks.compact(.nan) == "NaN")
    #expect(Ticks.compact(-.infinity) == "-inf")
  }

  @Test func tickLabelsUseTheStep() {
    #expect(Ticks.format(0.30000000000000004, step: 0.1) == "0.3")
    #expect(Ticks.format(-0.0, step: 0.5) == "0.0")
    #expect(Ticks.format(2e7, step: 1e6) == "2.00e+07")
    #expect(Ticks.format(0.15, step: 0.15) == "0.15")
    #expect(Ticks.format(0.5, step: 0.25) == "0.50")
    #expect(Ticks.format(1.0 / 3.0, step: 1.0 / 3.0) == "0.333333")
  }
}
