import Foundation
import Testing
import HMRuntime
import HMTestSupport

/// Every runnable script in scripts/ runs with a tiny budget (STYLE.md rule 12), in-process.
struct ScriptSmokeTests {
  func run(_ script: String, _ arguments: [String] = []) throws -> String {
    var out = ""
    let hm = Interpreter(output: { out += $0 })
    hm.scriptArguments = arguments
    _ = try hm.runFile(TestPaths.repository.appendingPathComponent(script).path)
    return out
  }

  @Test func mamlSinusoidFixtureInHm() throws {
    let fixture = TestPaths.fixture("maml_sinusoid_fixture.json")
    guard FileManager.default.fileExists(atPath: fixture.path) else {
      Issue.record("fixture missing at \(fixture.path)"); return
    }
    let out = try run("scripts/maml_sinusoid_fixture.hm", [fixture.path])
    #expect(out.contains("all 9 checks within 1e-9 of the JAX fixture"), "\(out)")
  }

  @Test func demoRuns() throws {
    let out = try run("scripts/demo.hm", ["--quick"])
    #expect(out.contains("guided by R and f_φ"), "\(out)")
    #expect(!out.isEmpty)
  }

  @Test func mamlSinusoidRuns() throws {
    let out = try run("scripts/maml_sinusoid.hm", ["--quick"])
    #expect(out.contains("MAML sinusoid: 20 meta-iterations"), "\(out)")
  }

  @Test func mamlNavigationRunsAndWritesItsResults() throws {
    let out = try run("scripts/maml_nav2d.hm", ["quick", "seed=7"])
    #expect(out.contains("MAML 2D navigation: 2 iterations") && out.contains("wrote results/maml_nav2d/"), "\(out)")
  }

  @Test func mazeExpertsReachTheOptimum() throws {
    let out = try run("scripts/experts_maze.hm", ["quick"])
    #expect(out.contains("3 of 3 experts within 5% of the value-iteration optimum"), "\(out)")
  }

  @Test func hindsightMazeExperimentRunsEveryMethod() throws {
    let out = try run("scripts/hindsight_maze.hm", ["quick"])
    for method in ["scratch", "maml", "unfiltered", "siamese", "siamese_no_relabel", "oracle"] {
      #expect(out.contains("| \(method) |"), "\(out)")
    }
    #expect(out.contains("wrote results/hindsight_maze_quick/runs.csv"), "\(out)")
  }

  @Test func hindsightNavigationExperimentRuns() throws {
    let out = try run("scripts/hindsight_nav2d.hm", ["quick"])
    #expect(out.contains("| siamese |") && out.contains("wrote results/hindsight_nav2d_quick/"), "\(out)")
  }

  @Test func hindsightExpertsExperimentRunsEveryMethod() throws {
    for (variant, family) in [(["quick"], "maze"), (["quick", "nav2d"], "nav2d")] {
      let out = try run("scripts/hindsight_experts.hm", variant)
      for method in ["none", "unfiltered", "siamese", "siamese_no_relabel", "oracle",
                     "unfiltered_unweighted", "siamese_unweighted", "oracle_unweighted"] {
        #expect(out.contains("| \(method) |"), "\(out)")
      }
      #expect(!out.contains("R holds 0 trajectories"), "\(out)")
      #expect(out.contains("wrote results/hindsight_experts_\(family)_quick/runs.csv"), "\(out)")
    }
  }

  @Test func siameseExpertsReportAHeldOutAUC() throws {
    for variant in [["quick"], ["quick", "nav2d"]] {
      let out = try run("scripts/siamese_experts.hm", variant)
      #expect(out.contains("held-out pairs:") && out.contains("AUC"), "\(out)")
    }
  }

  @Test func pairwiseDivergenceBenchmarkAgreesWithTheNaiveLoop() throws {
    let out = try run("scripts/benchmarks/pairwise_divergence.hm", ["4", "8"])
    #expect(out.contains("    4 ") && out.contains("    8 "), "\(out)")
  }

  @Test("benchmark ports print their peers' check values", arguments: [
    ("strjoin", "488890"), ("strcat", "488890"), ("closure", "15000000"),
  ])
  func benchmarkPorts(_ program: String, _ check: String) throws {
    let out = try run("scripts/benchmarks/interp/\(program).hm")
    #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == check)
  }

  @Test("Are We Fast Yet's command line runs and verifies each benchmark", arguments: [
    "Bounce", "List", "Mandelbrot", "NBody", "Permute", "Queens", "Sieve", "Storage", "Towers",
  ])
  func awfyRun(_ benchmark: String) throws {
    let out = try run("scripts/benchmarks/awfy/run.hm", [benchmark, "2", "1"])
    #expect(out.contains("\(benchmark): iterations=2 average: "), "\(out)")
  }
}
