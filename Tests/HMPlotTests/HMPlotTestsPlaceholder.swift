import Testing

@Test func placeholder_HMPlotTests() { #expect(true) }
