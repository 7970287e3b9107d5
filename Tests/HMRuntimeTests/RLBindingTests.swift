import Foundation
import Testing
import HMRuntime
import HMTestSupport

/// HMRL's tabular world, divergences and metrics as seen from hm: values against hand-computed
/// optima, the note's §IV.A example, the scipy/mpmath fixture, Monte-Carlo agreement, and clear
/// errors for bad input.
struct RLBindingTests {
  func number(_ hm: Interpreter, _ code: String) throws -> Double {
    let v = try hm.evaluate(code)
    guard let d = v.double else { Issue.record("\(code) gave \(v), not a number"); return .nan }
    return d
  }

  /// The message of the error `code` raises (nil when it runs).
  func errorMessage(_ code: String) -> String? {
    let hm = Interpreter(output: { _ in })
    do { try hm.evaluate(code); return nil } catch { return error.items.first?.message }
  }

  /// Whether rsvg-convert (Debian's librsvg2-bin) renders the SVG file to a non-empty PNG;
  /// true when the tool is absent (the HMPlot tests record that case).
  func rsvgRenders(_ path: String) -> Bool {
    let tool = "/usr/bin/rsvg-convert"
    guard FileManager.default.isExecutableFile(atPath: tool) else { return true }
    let png = path + ".png"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = [path, "-o", png]
    do { try process.run() } catch { return false }
    process.waitUntilExit()
    defer { try? FileManager.default.removeItem(atPath: png) }
    let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
    return process.terminationStatus == 0 && size > 0
  }

  static let map = """
    let map = \"\"\"
      #########
      #S..#...#
      #.#.#.#G#
      #.#...#.#
      #########
      \"\"\"
    """

  @Test func valueIterationGivesHandComputedOptima() throws {
    let hm = Interpreter(output: { _ in })
    #expect(isClose(try number(hm, "value_iteration(maze(\"######\\n#S..G#\\n######\", horizon: 10, gamma: 0.9)).expected_return"), 0.81, relative: 1e-12))
    #expect(try number(hm, "value_iteration(maze(\"######\\n#S..G#\\n######\", horizon: 10)).expected_return") == 1)
    #expect(try number(hm, "value_iteration(maze(\"######\\n#S..G#\\n######\", horizon: 2)).expected_return") == 0)
    #expect(isClose(try number(hm, "value_iteration(maze(\"######\\n#S..G#\\n######\", horizon: 10, reward: \"minigrid\")).expected_return"), 0.73, relative: 1e-12))
    #expect(isClose(try number(hm, "value_iteration(maze(\"######\\n#S..G#\\n######\", horizon: 10, reward: \"dense\")).expected_return"), -3, relative: 1e-12))
    #expect(isClose(try number(hm, "value_iteration(maze(\"#####\\n#S.G#\\n#####\", horizon: 3, slip: true)).expected_return"), 7.0 / 27, relative: 1e-12))
    try hm.evaluate(Self.map)
    #expect(isClose(try number(hm, "value_iteration(maze(map, horizon: 30, gamma: 0.9)).expected_return"), pow(0.9, 10), relative: 1e-12))
    #expect(try number(hm, "value_iteration(maze(map, horizon: 10)).expected_return") == 0)
    #expect(try number(hm, "value_iteration(maze(map, horizon: 11)).expected_return") == 1)
    // The returned policy attains the optimum (it never idles with time to spare).
    #expect(try number(hm, "let m = maze(map, horizon: 11)\npolicy_evaluation(m, value_iteration(m).policy).expected_return") == 1)
  }

  @Test func mazeShowsItsGreedyPath() throws {
    var out = ""
    let hm = Interpreter(output: { out += $0 })
    try hm.evaluate(Self.map + "\nlet m = maze(map, horizon: 30)\nshow(m, path: value_iteration(m).policy, style: \"unicode\")\nshow(m, path: value_iteration(m).policy, style: \"ascii\")")
    #expect(out == """
      █████████
      █S→↓█→→↓█
      █·█↓█↑█G█
      █·█→→↑█·█
      █████████
      #########
      #S>v#>>v#
      #.#v#^#G#
      #.#>>^#.#
      #########

      """)
    out = ""
    try hm.evaluate("let slippery = maze(\"#######\\n#S....#\\n#.###.#\\n#....G#\\n#######\", horizon: 20, slip: true)\nshow(slippery, trajectories: [[0, 1, 2, 3, 4, 6], [0, 5, 7]], style: \"ascii\")")
    #expect(out == "#######\n#S>>>v#\n#v###.#\n#....G#\n#######\n")
    let props = try hm.evaluate("[m.width, m.height, m.states, m.actions, m.start, m.goal, m.horizon, len(goal_tasks(m))]")
    #expect(props == .list([.int(9), .int(5), .int(15), .int(4), .int(0), .int(9), .int(30), .int(14)]))
    let path = "/tmp/hm_rl_binding_maze_\(getpid()).svg"
    try hm.evaluate("save_svg(m, \"\(path)\", path: value_iteration(m).policy)")
    let svg = try String(contentsOfFile: path, encoding: .utf8)
    #expect(svg.hasPrefix("<?xml") && svg.contains("<svg") && svg.contains("polyline"))
    #expect(rsvgRenders(path))
    try? FileManager.default.removeItem(atPath: path)
  }

  @Test func stepFunctionsAreTabulatedLikeTables() throws {
    let hm = Interpreter(output: { _ in })
    let fromTables = try hm.evaluate("tabular_mdp(P: [[[0.5, 0.5], [0, 1]], [[1, 0], [0, 1]]], R: [[0, 1], [2, 0]], horizon: 4).P")
    let fromFunction = try hm.evaluate("""
      tabular_mdp(states: 2, actions: 2, horizon: 4, step: fn(s, a) {
        if s == 0 and a == 0 { {next: [0.5, 0.5], reward: 0} }
        else if a == 1 { {next: 1, reward: if s == 0 { 1 } else { 0 }} }
        else { [0, 2] }
      }).P
      """)
    #expect(fromTables == fromFunction)
    #expect(try number(hm, "value_iteration(tabular_mdp(states: 4, actions: 2, step: fn(s, a) => {next: (s + a) % 4, reward: if s == 3 { 1 } else { 0 }}, horizon: 6)).expected_return") == 3)
  }

  @Test func twoStateExampleOfSectionIVA() throws {
    let hm = Interpreter(output: { _ in })
    let unit = 0.5 * log(2.0).squareRoot()
    try hm.evaluate("let ex = two_state_mdp(p1: 0)")
    // Differ only on a never-reached state: d_E = P = 0 while d_P > 0.
    #expect(try number(hm, "equivalence_metric(ex.mdp, ex.theta, ex.phi)") == 0)
    #expect(try number(hm, "policy_divergence(ex.mdp, ex.theta, ex.phi)") == 0)
    #expect(isClose(try number(hm, "policy_metric(ex.theta, ex.phi)"), unit, relative: 1e-12))
    try hm.evaluate("let reached = two_state_mdp(p1: 0.25, horizon: 5)")
    #expect(isClose(try number(hm, "equivalence_metric(reached.mdp, reached.theta, reached.phi)"), unit, relative: 1e-12))
    #expect(isClose(try number(hm, "policy_metric(reached.theta, reached.phi)"), unit, relative: 1e-12))
    #expect(isClose(try number(hm, "policy_divergence(reached.mdp, reached.theta, reached.phi)"), 1.5 * log(2.0).squareRoot(), relative: 1e-12))
    #expect(isClose(try number(hm, "policy_divergence(reached.mdp, reached.theta, reached.phi, aggregate: \"mean\")"), 0.3 * log(2.0).squareRoot(), relative: 1e-12))
    // Pairwise matrices agree with the pair functions.
    let m = try hm.evaluate("let pm = pairwise_metrics(reached.mdp, [reached.theta, reached.phi])\n[pm.d_P[0][1], pm.d_E[1][0], pm.P[0][1], pm.P[1][1]]")
    let values = (m.list ?? []).compactMap(\.double)
    expectClose(values, [unit, unit, 1.5 * log(2.0).squareRoot(), 0], rtol: 1e-12)
    #expect(try hm.evaluate("common_states(ex.mdp, ex.theta, ex.phi)") == .list([.int(0)]))
    #expect(try hm.evaluate("reachable(reached.mdp, reached.phi)") == .list([.int(0), .int(1)]))
  }

  @Test func exactMetricsAgreeWithMonteCarlo() throws {
    let hm = Interpreter(output: { _ in })
    try hm.evaluate("""
      let mdp = tabular_mdp(P: [[[0.2, 0.8, 0], [0, 0.5, 0.5]], [[0, 0, 1], [1, 0, 0]], [[0.3, 0.3, 0.4], [0, 1, 0]]],
                            R: [[0, 1], [1, 0], [0, 0]], p0: [0.6, 0.4, 0], horizon: 6)
      let a = random_policy(mdp, seed: 1)
      let b = random_policy(mdp, seed: 2)
      let exact = policy_divergence(mdp, a, b)
      let est = policy_divergence_estimate(mdp, a, b, episodes: 4000, seed: 3)
      let pe = policy_evaluation(mdp, a).expected_return
      var total = 0.0
      var sq = 0.0
      for i in 0..2000 {
        let r = sample_episode(mdp, a, seed: 100 + i).discounted_return
        total += r
        sq += r * r
      }
      let mc = total / 2000
      let se = ((sq / 2000 - mc * mc) / 2000) ** 0.5
      """)
    let exact = try number(hm, "exact"), value = try number(hm, "est.value"), se = try number(hm, "est.std_error")
    #expect(se > 0 && abs(exact - value) < 4 * se, "P exact \(exact), Monte-Carlo \(value) ± \(se)")
    let pe = try number(hm, "pe"), mc = try number(hm, "mc"), mcSE = try number(hm, "se")
    #expect(abs(pe - mc) < 4 * mcSE, "return exact \(pe), Monte-Carlo \(mc) ± \(mcSE)")
  }

  @Test func divergencesOfKnownDistributions() throws {
    let hm = Interpreter(output: { _ in })
    #expect(try number(hm, "js([1, 0], [0, 1])") == log(2.0))
    #expect(try number(hm, "js_distance([1, 0], [0, 1], base: 2)") == 1)
    #expect(try number(hm, "kl([1, 0], [0, 1])") == .infinity)
    #expect(try number(hm, "js([0.3, 0.7], [0.3, 0.7])") == 0)
    #expect(try hm.evaluate("kl([[1, 0], [0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]], base: 2)") == .list([.float(1), .float(0)]))
    // Rows of different lengths still work one by one.
    #expect(try hm.evaluate("js([[1, 0], [1, 0, 0]], [[0, 1], [0, 0, 1]])") == .list([.float(log(2.0)), .float(log(2.0))]))
    #expect(isClose(try number(hm, "symmetric_kl(gaussian([0], [1]), gaussian([1], [1]))"), 0.5, relative: 1e-12))
    #expect(try number(hm, "js_bounds([1, 0], [0, 1]).logarithmic") == log(2.0))
    let e = try hm.evaluate("js(gaussian([0, 0], 1), gaussian([0, 0], 1), samples: 500, seed: 4)")
    #expect(abs(e["value"]?.double ?? 1) < 1e-12 && e["samples"] == .int(500))
  }

  @Test func divergenceFixtureThroughHm() throws {
    let url = TestPaths.fixture("divergences.json")
    guard let data = try? Data(contentsOf: url),
          let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let discrete = root["discrete"] as? [[String: Any]], let gaussians = root["gaussian"] as? [[String: Any]] else {
      Issue.record("fixture \(url.path) is missing or unreadable")
      return
    }
    func double(_ x: Any?) -> Double? {
      if let s = x as? String { return s == "inf" ? .infinity : s == "-inf" ? -.infinity : s == "nan" ? .nan : nil }
      return (x as? NSNumber)?.doubleValue
    }
    func host(_ xs: [Double]) -> HostValue { .list(xs.map { .float($0) }) }
    let hm = Interpreter(output: { _ in })
    try hm.evaluate("""
      fn discrete(p, q) {
        let b = js_bounds(p, q)
        [kl(p, q), kl(q, p), js(p, q), js_distance(p, q), symmetric_kl(p, q), b.half_symmetric, b.logarithmic]
      }
      fn closed(m0, c0, m1, c1) {
        let p = gaussian(m0, c0)
        let q = gaussian(m1, c1)
        [kl(p, q), kl(q, p), symmetric_kl(p, q), js_bounds(p, q).half_symmetric, js_bounds(p, q).logarithmic]
      }
      """)
    var checked = 0
    for c in discrete {
      guard let p = (c["p"] as? [Any])?.compactMap(double), let q = (c["q"] as? [Any])?.compactMap(double) else { continue }
      let expected = ["kl_pq", "kl_qp", "js", "sqrt_js", "symmetric_kl_mean_S", "bound_half_S", "bound_log_S"].map { double(c[$0]) ?? .nan }
      let got = try hm.call("discrete", [host(p), host(q)]).list?.compactMap(\.double) ?? []
      expectClose(got, expected, rtol: 1e-12, atol: 1e-300, "\(c["label"] ?? "?")")
      checked += 1
    }
    for g in gaussians {
      guard let p = g["p"] as? [String: Any], let q = g["q"] as? [String: Any],
            let m0 = (p["mean"] as? [Any])?.compactMap(double), let m1 = (q["mean"] as? [Any])?.compactMap(double),
            let c0 = (p["cov"] as? [[Any]])?.map({ $0.compactMap(double) }), let c1 = (q["cov"] as? [[Any]])?.map({ $0.compactMap(double) }) else { continue }
      let expected = ["kl_pq_closed_form", "kl_qp_closed_form", "symmetric_kl_mean_S", "bound_half_S", "bound_log_S"].map { double(g[$0]) ?? .nan }
      let got = try hm.call("closed", [host(m0), .list(c0.map(host)), host(m1), .list(c1.map(host))]).list?.compactMap(\.double) ?? []
      expectClose(got, expected, rtol: 1e-10, "\(g["label"] ?? "?")")
      checked += 1
    }
    #expect(checked == discrete.count + gaussians.count)
  }

  @Test func badInputGivesClearErrors() {
    #expect(errorMessage("maze(\"#..#\\n#.G#\")")?.contains("no start") == true)
    #expect(errorMessage("maze(\"#S.#\\n#.G\")")?.contains("row 2 has 3 columns") == true)
    #expect(errorMessage("maze(\"#S.#\\n#x.#\")")?.contains("unknown character 'x'") == true)
    #expect(errorMessage("maze(\"#S.G#\", reward: \"lots\")")?.contains("reward must be") == true)
    #expect(errorMessage("maze(\"#S.G#\").transition(0, 4)")?.contains("action 4 is out of range") == true)
    #expect(errorMessage("tabular_mdp(states: 2, actions: 1, step: fn(s, a) => [1, 2, 3])")?.contains("step(0, 0) must return") == true)
    #expect(errorMessage("tabular_mdp(states: 2, actions: 1, step: fn(s, a) => {next: [1, 0, 0], reward: 0})")?.contains("expected one per state (2)") == true)
    #expect(errorMessage("tabular_mdp(states: 2, actions: 1, step: fn(s, a) => {next: 5})")?.contains("next state 5 is out of range") == true)
    #expect(errorMessage("tabular_mdp(P: [[[0.5, 0.4]], [[1, 0]]])")?.contains("P[s=0, a=0] sums to") == true)
    #expect(errorMessage("tabular_mdp(P: [[[1, 0]], [[1]]])")?.contains("P[1][0] has 1 next-state") == true)
    #expect(errorMessage("kl([0.5, 0.4], [0.5, 0.5])")?.hasPrefix("kl: p sums to 0.9") == true)
    #expect(errorMessage("js([0.5, 0.5], [[0.5, 0.5]])")?.contains("both") == true)
    #expect(errorMessage("kl(\"a\", [1])")?.contains("'p' must be") == true)
    #expect(errorMessage("policy_divergence(two_state_mdp().mdp, [[1, 0]], [[1, 0]])")?.contains("the mdp has 2 states") == true)
    #expect(errorMessage("policy([[1, 0], [1]])")?.contains("has 1 entries, expected 2") == true)
    #expect(errorMessage("gaussian([0, 0], [[1, 2], [2, 1]])") != nil)
    #expect(errorMessage("policy_divergence(two_state_mdp().mdp, [[1, 0], [1, 0]], [[1, 0], [1, 0]], aggregate: \"max\")")?.contains("aggregate must be") == true)
    #expect(errorMessage("state_rule([[1, 0]], [[0, 1]], [3])")?.contains("out of range") == true)
    #expect(errorMessage("plot([1, 2], [1, 2, 3])")?.contains("xs has 2 values but ys has 3") == true)
    #expect(errorMessage("plot([{a: 1}], y: \"b\")")?.contains("no column 'b'") == true)
    #expect(errorMessage("hist([])") != nil)
    #expect(errorMessage("plot([1, 2], style: \"fancy\")")?.contains("style must be") == true)
    #expect(errorMessage("show(1, path: [0])")?.contains("apply to mazes") == true)
    #expect(errorMessage("metric_theory(mdps: 0)") != nil)
  }

  @Test func plotsDrawInTheTerminalAndToSVG() throws {
    var out = ""
    let hm = Interpreter(output: { out += $0 })
    try hm.evaluate("plot([1, 4, 9, 16], label: \"squares\", title: \"Growth\", style: \"ascii\", width: 40, height: 10)")
    let lines = out.split(separator: "\n")
    #expect(lines.count == 10)
    #expect(lines.allSatisfy { $0.count <= 40 && $0.allSatisfy(\.isASCII) })
    #expect(out.contains("Growth") && out.contains("squares") && !out.contains("\u{1B}"))
    out = ""
    try hm.evaluate("let log = [{it: 1, pre: -20.5, post: -9.8}, {it: 2, pre: -18.0, post: -7.5}]\nplot(log, x: \"it\", style: \"unicode\", width: 50, height: 10)")
    #expect(out.contains("pre") && out.contains("post") && out.unicodeScalars.contains { (0x2800...0x28FF).contains($0.value) })
    out = ""
    try hm.evaluate("table(log, style: \"ascii\")")
    #expect(out == "it    pre  post\n--  -----  ----\n 1  -20.5  -9.8\n 2  -18.0  -7.5\n")
    let dir = "/tmp/hm_rl_binding_plots_\(getpid())"
    try hm.evaluate("""
      plot(log, x: "it", y: ["pre", "post"], file: "\(dir)/curve.svg")
      scatter([[0.1, 0.2], [0.5]], [[1, 2], [3]], label: ["a", "b"], file: "\(dir)/scatter.svg")
      hist([1, 2, 2, 3], file: "\(dir)/hist.svg")
      bar({a: 1, b: -2}, file: "\(dir)/bar.svg")
      heatmap([[0, 1], [1, 0]], show_values: true, file: "\(dir)/heat.svg")
      write_markdown("\(dir)/table.md", log)
      """)
    for name in ["curve", "scatter", "hist", "bar", "heat"] {
      let svg = try String(contentsOfFile: "\(dir)/\(name).svg", encoding: .utf8)
      #expect(svg.contains("<svg") && svg.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</svg>"), "\(name).svg")
      #expect(rsvgRenders("\(dir)/\(name).svg"), "\(name).svg does not render")
    }
    #expect(try String(contentsOfFile: "\(dir)/table.md", encoding: .utf8).contains("| it | pre | post |"))
    try? FileManager.default.removeItem(atPath: dir)
  }

  @Test func helpAndCompletionKnowTheNewTypes() throws {
    let hm = Interpreter(output: { _ in })
    #expect(hm.help(for: "policy_divergence")?.contains("Def. 4") == true)
    #expect(hm.help(for: "maze.render")?.contains("ascii") == true)
    try hm.evaluate("let m = maze(\"#S.G#\")\nlet pi = uniform_policy(m)")
    #expect(hm.completions(for: "m.gr") == ["greedy_path"])
    #expect(hm.completions(for: "pi.gr") == ["greedy"])
    #expect(try hm.evaluate("repr(m)") == .string("<maze 5×1, 3 states, horizon 50, sparse>"))
    #expect(try hm.evaluate("type(pi)") == .string("policy"))
  }

  @Test func metricTheoryScriptRunsWithTinySettings() throws {
    var out = ""
    let hm = Interpreter(output: { out += $0 })
    let dir = "/tmp/hm_metric_theory_\(getpid())"
    hm.scriptArguments = ["quick", "seed=5", "out=\(dir)"]
    let script = TestPaths.repository.appendingPathComponent("scripts/metric_theory.hm").path
    do { _ = try hm.runFile(script) } catch { Issue.record("metric_theory.hm fails:\n\(error.rendered())"); return }
    let csv = try String(contentsOfFile: "\(dir)/summary.csv", encoding: .utf8)
    let rows = csv.split(separator: "\n")
    #expect(rows.count == 5 && rows[0].contains("seed") && rows[1].hasPrefix("sqrtJ,") && rows[1].contains(",5,10,5,100"))
    let md = try String(contentsOfFile: "\(dir)/summary.md", encoding: .utf8)
    #expect(md.contains("Seed 5") && md.contains("\"mdps\":10") && md.contains("| d_E |"))
    for f in ["bounds_scatter.svg", "triangle_slack_hist.svg"] {
      #expect(try String(contentsOfFile: "\(dir)/\(f)", encoding: .utf8).contains("<svg"), "\(f)")
      #expect(rsvgRenders("\(dir)/\(f)"), "\(f) does not render")
    }
    #expect(out.contains("wrote \(dir)/summary.csv"))
    // The primitive: sqrt J and d_P never violate an axiom; both JS bounds hold.
    let r = try hm.evaluate("let r = metric_theory(mdps: 20, triples_per_mdp: 5, distribution_triples: 200, seed: 3)\n[r.table[0].triangle_violations, r.table[1].triangle_violations, r.bounds.half_symmetric_violations, r.bounds.logarithmic_violations, r.policy_triples]")
    #expect(r == .list([.int(0), .int(0), .int(0), .int(0), .int(100)]))
    try? FileManager.default.removeItem(atPath: dir)
  }
}
