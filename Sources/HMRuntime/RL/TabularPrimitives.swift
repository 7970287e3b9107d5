import HMRL

/// Tabular MDPs and policies in hm: construction from tables or from an hm step function, the
/// exact tools (value iteration, policy evaluation, occupancy, reachability) and sampling.
enum TabularPrimitives {
  static let chain = "let mdp = tabular_mdp(P: [[[1, 0], [0, 1]], [[0, 1], [0, 1]]], R: [[0, 1], [0, 0]], p0: [1, 0], horizon: 3)"

  static func mdpReceiver(_ c: NativeCall) throws -> TabularMDP {
    guard c.receiver.tag == .object, let m = c.receiver.nativeObject.payload as? MDPBox else { throw c.error("not an mdp") }
    return m.mdp
  }

  static func policyReceiver(_ c: NativeCall) throws -> TabularPolicy {
    guard c.receiver.tag == .object, let p = c.receiver.nativeObject.payload as? PolicyBox else { throw c.error("not a policy") }
    return p.policy
  }

  static func mdpProperty(_ name: String, returns: String, doc: String, _ body: @escaping (NativeCall, TabularMDP) throws -> Value) -> Primitive {
    Primitive(name, on: .property("mdp"), [], returns: returns, category: "tabular", doc: doc,
              example: "\(chain)\nprint(mdp.\(name))") { c in try body(c, try mdpReceiver(c)) }
  }

  /// Tables of shape [H+1][S] come back to hm as lists: refuse sizes that would take gigabytes.
  static func checkTableSize(_ mdp: TabularMDP, _ c: NativeCall) throws {
    let cells = (mdp.horizon + 1) * mdp.stateCount
    guard cells <= 20_000_000 else {
      throw c.error("(H+1)·S = \(cells) values per table is too many to return (at most 20 000 000): lower the horizon")
    }
  }

  static func checkPolicy(_ mdp: TabularMDP, _ p: TabularPolicy, _ c: NativeCall) throws {
    guard p.stateCount == mdp.stateCount, p.actionCount == mdp.actionCount else {
      throw c.error("the policy is \(p.stateCount)×\(p.actionCount) (states × actions) but the mdp has \(mdp.stateCount) states and \(mdp.actionCount) actions")
    }
  }

  /// Tabulates an hm step function fn(s, a) once: it returns {next: s' or [P(s')…], reward: r}
  /// or [next, reward].
  static func tabulate(states nS: Int, actions nA: Int, step: Value, _ c: NativeCall) throws -> (transitions: [Double], rewards: [Double]) {
    guard nS >= 1, nA >= 1 else { throw c.error("states and actions must be >= 1, got \(nS) and \(nA)") }
    guard nS <= 4_000_000, nA <= 4_000_000, nS * nA <= 4_000_000, nS * nA * nS <= 4_000_000 else { throw c.error("\(nS) states × \(nA) actions is too large for dense tables (at most 4 000 000 entries)") }
    var transitions = [Double](repeating: 0, count: nS * nA * nS)
    var rewards = [Double](repeating: 0, count: nS * nA)
    try c.vm.withRoots([step]) {
      for s in 0..<nS {
        for a in 0..<nA {
          let out = try c.vm.call(step, [Value(s), Value(a)])
          let where_ = "step(\(s), \(a))"
          var next = Value.nil, reward = Value(0.0)
          switch out.tag {
          case .map:
            guard let n = try out.mapObject.get(c.vm.heap.intern("next")) else {
              throw c.error("\(where_) returned a record without 'next' (expected {next: s' or [P(s')…], reward: r})")
            }
            next = n
            reward = try out.mapObject.get(c.vm.heap.intern("reward")) ?? Value(0.0)
          case .list where out.listObject.items.count == 2:
            next = out.listObject.items[0]; reward = out.listObject.items[1]
          case .int:
            next = out
          default:
            throw c.error("\(where_) must return {next: s' or [P(s')…], reward: r} or [next, reward], got \(c.vm.repr(out))")
          }
          guard reward.isNumber, reward.number.isFinite else { throw c.error("\(where_): reward must be a finite number, got \(c.vm.repr(reward))") }
          rewards[s * nA + a] = reward.number
          let row = (s * nA + a) * nS
          if next.tag == .int {
            guard next.int >= 0, next.int < nS else { throw c.error("\(where_): next state \(next.int) is out of range 0..<\(nS)") }
            transitions[row + next.int] = 1
          } else if next.tag == .list {
            let p = try RLValues.vector(next, c, "\(where_).next")
            guard p.count == nS else { throw c.error("\(where_): next has \(p.count) probabilities, expected one per state (\(nS))") }
            for k in 0..<nS { transitions[row + k] = p[k] }
          } else {
            throw c.error("\(where_): next must be a state (int) or a list of \(nS) probabilities, got \(c.vm.repr(next))")
          }
        }
      }
    }
    return (transitions, rewards)
  }

  /// For each state, actions[t*][s] with t* the latest step whose optimal value equals the
  /// step-0 value (relative tolerance 1e-12). With γ = 1 the step-0 optimum is often indifferent
  /// between moving and idling (there is time left); at t* there is no slack, so the action
  /// makes progress: the policy greedy paths and `show` should follow.
  static func leastSlackActions(_ solution: OptimalSolution, stateCount: Int) -> [Int] {
    guard let first = solution.values.first, !solution.actions.isEmpty else { return [Int](repeating: 0, count: stateCount) }
    return (0..<stateCount).map { s in
      var t = 0
      for k in stride(from: solution.actions.count - 1, through: 0, by: -1) {
        let v = solution.values[k][s], v0 = first[s]
        if abs(v - v0) <= 1e-12 * max(1, abs(v0)) { t = k; break }
      }
      return solution.actions[t][s]
    }
  }

  static let all: [Primitive] = [
    Primitive("tabular_mdp", [ParameterSpec("P", .optional(.list), default: .nil, doc: "transition table P[s][a][s']"),
                              ParameterSpec("R", .optional(.list), default: .nil, doc: "rewards R[s][a] (or R[s][a][s']); zeros by default"),
                              ParameterSpec("p0", .optional(.list), default: .nil, doc: "initial distribution; by default state 0"),
                              ParameterSpec("horizon", .int, default: .int(10), doc: "decisions per episode, H ≥ 1"),
                              ParameterSpec("gamma", .number, default: .float(1), doc: "discount γ ∈ [0, 1]"),
                              ParameterSpec("states", .optional(.int), default: .nil, doc: "with `step`: the number of states"),
                              ParameterSpec("actions", .optional(.int), default: .nil, doc: "with `step`: the number of actions"),
                              ParameterSpec("step", .optional(.function), default: .nil, doc: "fn(s, a) returning {next: s' or [P(s')…], reward: r}, called once per (s, a)"),
                              ParameterSpec("terminal", .optional(.list), default: .nil, doc: "terminal states (entering one ends the episode)")],
              returns: "an mdp", category: "tabular",
              doc: "A tabular MDP with explicit tables, either from nested lists (`P:`, `R:`) or from an hm function of (s, a) tabulated once into native tables (`states:`, `actions:`, `step:`). Every P(·|s, a) row and p₀ must be a probability vector (sum 1 within 1e-9); errors name the offending row.",
              example: "let ring = tabular_mdp(states: 4, actions: 2, step: fn(s, a) => {next: (s + a) % 4, reward: if s == 3 { 1 } else { 0 }}, horizon: 6)\nprint(value_iteration(ring).expected_return)  # 3.0") { c in
      let terminal = try c.isGiven(8) ? Set(RLValues.states(c[8], c, "terminal")) : []
      let mdp: TabularMDP
      if c.isGiven(7) {
        guard !c.isGiven(0), !c.isGiven(1), c.isGiven(5), c.isGiven(6) else {
          throw c.error("give either P: (and R:) or states:, actions: and step:")
        }
        let nS = c[5].int, nA = c[6].int
        let (transitions, rewards) = try tabulate(states: nS, actions: nA, step: c[7], c)
        var p0 = [Double](repeating: 0, count: nS); p0[0] = 1
        if c.isGiven(2) { p0 = try RLValues.vector(c[2], c, "p0") }
        mdp = try RLValues.run(c) {
          try TabularMDP(stateCount: nS, actionCount: nA, transitions: transitions, rewards: .perStateAction(rewards),
                         initialDistribution: p0, horizon: c.int(3), discount: c.double(4), terminalStates: terminal)
        }
      } else {
        guard c.isGiven(0) else { throw c.error("give either P: (and R:) or states:, actions: and step:") }
        let P = try RLValues.cube(c[0], c, "P")
        let nS = P.count, nA = P.first?.count ?? 0
        for (s, row) in P.enumerated() where row.count != nA {
          throw c.error("P[\(s)] has \(row.count) actions, expected \(nA) like P[0]")
        }
        for (s, row) in P.enumerated() { for (a, next) in row.enumerated() where next.count != nS {
          throw c.error("P[\(s)][\(a)] has \(next.count) next-state probabilities, expected \(nS) (one per state)")
        } }
        var p0 = [Double](repeating: 0, count: max(nS, 1)); p0[0] = 1
        if c.isGiven(2) { p0 = try RLValues.vector(c[2], c, "p0") }
        var rewards = TabularMDP.RewardTable.perStateAction([Double](repeating: 0, count: nS * nA))
        if c.isGiven(1) {
          let r = c[1].listObject.items
          if r.first?.tag == .list, r.first?.listObject.items.first?.tag == .list {
            let R = try RLValues.cube(c[1], c, "R")
            guard R.count == nS, R.allSatisfy({ $0.count == nA && $0.allSatisfy { $0.count == nS } }) else {
              throw c.error("R[s][a][s'] must be \(nS)×\(nA)×\(nS) like P")
            }
            rewards = .perTransition(R.flatMap { $0.flatMap { $0 } })
          } else {
            let R = try RLValues.matrix(c[1], c, "R")
            guard R.count == nS, R.allSatisfy({ $0.count == nA }) else { throw c.error("R[s][a] must be \(nS)×\(nA) (states × actions)") }
            rewards = .perStateAction(R.flatMap { $0 })
          }
        }
        mdp = try RLValues.run(c) {
          try TabularMDP(stateCount: nS, actionCount: nA, transitions: P.flatMap { $0.flatMap { $0 } }, rewards: rewards,
                         initialDistribution: p0, horizon: c.int(3), discount: c.double(4), terminalStates: terminal)
        }
      }
      return c.vm.heap.makeObject(MDPBox(mdp))
    },
    mdpProperty("states", returns: "an int", doc: "|S|.") { _, m in Value(m.stateCount) },
    mdpProperty("actions", returns: "an int", doc: "|A|.") { _, m in Value(m.actionCount) },
    mdpProperty("horizon", returns: "an int", doc: "H, decisions per episode.") { _, m in Value(m.horizon) },
    mdpProperty("gamma", returns: "a float", doc: "The discount γ.") { _, m in Value(m.discount) },
    mdpProperty("p0", returns: "a list of floats", doc: "The initial state distribution p₀.") { c, m in RLValues.list(m.initialDistribution, c.vm) },
    mdpProperty("P", returns: "nested lists P[s][a][s']", doc: "The transition table.") { c, m in
      let (nS, nA) = (m.stateCount, m.actionCount)
      return c.vm.heap.makeList((0..<nS).map { s in c.vm.heap.makeList((0..<nA).map { a in
        RLValues.list(Array(m.transitions[(s * nA + a) * nS ..< (s * nA + a + 1) * nS]), c.vm) }) })
    },
    mdpProperty("R", returns: "nested lists R[s][a]", doc: "Expected rewards r(s, a) = Σ_{s'} P(s'|s, a) R(s, a, s').") { c, m in
      let nA = m.actionCount
      return c.vm.heap.makeList((0..<m.stateCount).map { s in RLValues.list(Array(m.expectedRewards[s * nA ..< (s + 1) * nA]), c.vm) })
    },
    mdpProperty("terminal", returns: "a list of ints", doc: "The terminal states.") { c, m in
      RLValues.list(m.isTerminal.indices.filter { m.isTerminal[$0] }, c.vm)
    },
    Primitive("value_iteration", [ParameterSpec("mdp", RLValues.mdpLike)], returns: "a record {values, actions, expected_return, policy}",
              category: "tabular",
              doc: "Finite-horizon value iteration (exact, O(H·S²·A)): optimal values[t][s] for t = 0…H, the non-stationary optimal actions[t][s] (lowest index on ties), the optimal expected return from p₀, and `policy`, a stationary deterministic policy that plays, in each state, the optimal action of the latest step from which that state still attains its step-0 optimal value (so with γ = 1 and a sparse goal it walks straight there instead of idling; the exact non-stationary optimum is `actions`).",
              example: "let corridor = maze(\"######\\n#S..G#\\n######\", horizon: 10, gamma: 0.9)\nprint(value_iteration(corridor).expected_return)  # 0.81") { c in
      let mdp = try RLValues.mdp(c[0], c)
      try checkTableSize(mdp, c)
      let solution = valueIteration(mdp)
      let policy = try RLValues.run(c) { try TabularPolicy.deterministic(actions: leastSlackActions(solution, stateCount: mdp.stateCount), actionCount: mdp.actionCount) }
      return RLValues.record([("values", RLValues.matrix(solution.values, c.vm)),
                              ("actions", c.vm.heap.makeList(solution.actions.map { RLValues.list($0, c.vm) })),
                              ("expected_return", Value(solution.expectedReturn)),
                              ("policy", RLValues.makePolicy(policy, c.vm))], c.vm)
    },
    Primitive("discounted_values", [ParameterSpec("mdp", RLValues.mdpLike),
                                    ParameterSpec("policy", .optional(RLValues.policyLike), default: .nil, doc: "a policy to evaluate; nil for the optimum")],
              returns: "a record {values, policy}", category: "tabular",
              doc: "Infinite-horizon values for γ < 1, ignoring the horizon: V^π by a linear solve when a policy is given, else V* by value iteration (to 1e-10) with its greedy stationary `policy`. Refused for γ = 1 and for step-dependent (minigrid) rewards.",
              example: "let m = maze(\"######\\n#S..G#\\n######\", gamma: 0.9)\nprint(discounted_values(m).values)  # [0.81, 0.9, 1.0, 0.0]") { c in
      let mdp = try RLValues.mdp(c[0], c)
      if c.isGiven(1) {
        let p = try RLValues.policy(c[1], c)
        try checkPolicy(mdp, p, c)
        return RLValues.record([("values", RLValues.list(try RLValues.run(c) { try discountedPolicyEvaluation(mdp, p) }, c.vm)),
                                ("policy", RLValues.makePolicy(p, c.vm))], c.vm)
      }
      let r = try RLValues.run(c) { try discountedValueIteration(mdp) }
      return RLValues.record([("values", RLValues.list(r.values, c.vm)), ("policy", RLValues.makePolicy(r.policy, c.vm))], c.vm)
    },
    Primitive("policy_evaluation", [ParameterSpec("mdp", RLValues.mdpLike), ParameterSpec("policy", RLValues.policyLike)],
              returns: "a record {values, expected_return}", category: "tabular",
              doc: "Exact finite-horizon evaluation of a tabular policy: values[t][s] (t = 0…H) and the expected (discounted) return from p₀.",
              example: "\(chain)\nprint(policy_evaluation(mdp, uniform_policy(mdp)).expected_return)  # 0.875") { c in
      let mdp = try RLValues.mdp(c[0], c), p = try RLValues.policy(c[1], c)
      try checkPolicy(mdp, p, c)
      try checkTableSize(mdp, c)
      let e = try RLValues.run(c) { try policyEvaluation(mdp, p) }
      return RLValues.record([("values", RLValues.matrix(e.values, c.vm)), ("expected_return", Value(e.expectedReturn))], c.vm)
    },
    Primitive("occupancy", [ParameterSpec("mdp", RLValues.mdpLike), ParameterSpec("policy", RLValues.policyLike)],
              returns: "a record {per_step, total, averaged}", category: "tabular",
              doc: "State-visitation measures: per_step[t][s] = Pr(decision t is taken in s), total[s] = Σₜ per_step[t][s] (expected visits), averaged = total / H. Terminal states are never decision states.",
              example: "\(chain)\nprint(occupancy(mdp, uniform_policy(mdp)).total)  # [1.75, 1.25]") { c in
      let mdp = try RLValues.mdp(c[0], c), p = try RLValues.policy(c[1], c)
      try checkPolicy(mdp, p, c)
      try checkTableSize(mdp, c)
      let v = try RLValues.run(c) { try stateVisitation(mdp, p) }
      return RLValues.record([("per_step", RLValues.matrix(v.perStep, c.vm)), ("total", RLValues.list(v.total, c.vm)),
                              ("averaged", RLValues.list(v.averagedOverSteps, c.vm))], c.vm)
    },
    Primitive("reachable", [ParameterSpec("mdp", RLValues.mdpLike), ParameterSpec("policy", RLValues.policyLike)],
              returns: "a list of states", category: "tabular",
              doc: "The decision states the policy visits with non-zero probability within the horizon, computed on supports (no floating-point products: a tiny probability still counts).",
              example: "let ex = two_state_mdp(p1: 0)\nprint(reachable(ex.mdp, ex.theta))  # [0]") { c in
      let mdp = try RLValues.mdp(c[0], c), p = try RLValues.policy(c[1], c)
      try checkPolicy(mdp, p, c)
      let r = try RLValues.run(c) { try reachableStates(mdp, p) }
      return RLValues.list(r.indices.filter { r[$0] }, c.vm)
    },
    Primitive("policy", [ParameterSpec("table", .list, doc: "π[s][a], each row a probability vector")], returns: "a policy", category: "tabular",
              doc: "A tabular policy from nested lists (or a 2-D tensor converted with `.tolist()`). Rows must be probability vectors.",
              example: "let pi = policy([[0.5, 0.5], [1, 0]])\nprint(pi.probs(1))  # [1.0, 0.0]") { c in
      RLValues.makePolicy(try RLValues.policy(c[0], c), c.vm)
    },
    Primitive("uniform_policy", [ParameterSpec("mdp", RLValues.mdpLike)], returns: "a policy", category: "tabular",
              doc: "The policy that picks every action with probability 1/|A| in every state.",
              example: "\(chain)\nprint(uniform_policy(mdp).table)") { c in
      let mdp = try RLValues.mdp(c[0], c)
      return RLValues.makePolicy(try RLValues.run(c) { try TabularPolicy.uniform(stateCount: mdp.stateCount, actionCount: mdp.actionCount) }, c.vm)
    },
    Primitive("random_policy", [ParameterSpec("mdp", RLValues.mdpLike),
                                ParameterSpec("deterministic", .number, default: .float(0.3), doc: "probability that a state's row is one-hot"),
                                ParameterSpec("zeros", .number, default: .float(0.3), doc: "probability that an action is left out of a stochastic row's support"),
                                RLValues.seedParameter],
              returns: "a policy", category: "tabular",
              doc: "A random tabular policy: each state's row is one-hot with probability `deterministic`, else Dirichlet(1) on a random support (the generator of the metric-theory experiment).",
              example: "\(chain)\nprint(random_policy(mdp, seed: 3).states)  # 2") { c in
      let mdp = try RLValues.mdp(c[0], c)
      return RLValues.makePolicy(try RLValues.withGenerator(c, seedIndex: 3) { g in
        try randomTabularPolicy(stateCount: mdp.stateCount, actionCount: mdp.actionCount, deterministicProbability: c.double(1),
                                zeroProbability: c.double(2), using: &g)
      }, c.vm)
    },
    Primitive("deterministic_policy", [ParameterSpec("mdp", RLValues.mdpLike), ParameterSpec("actions", .list, doc: "one action per state")],
              returns: "a policy", category: "tabular", doc: "The policy that takes actions[s] in state s.",
              example: "\(chain)\nprint(deterministic_policy(mdp, [1, 0]).table)  # [[0.0, 1.0], [1.0, 0.0]]") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let actions = try RLValues.states(c[1], c, "actions")
      guard actions.count == mdp.stateCount else { throw c.error("actions has \(actions.count) entries, expected one per state (\(mdp.stateCount))") }
      return RLValues.makePolicy(try RLValues.run(c) { try TabularPolicy.deterministic(actions: actions, actionCount: mdp.actionCount) }, c.vm)
    },
    Primitive("table", on: .property("policy"), returns: "nested lists π[s][a]", category: "tabular",
              doc: "The policy's probability table.", example: "print(policy([[0.5, 0.5]]).table)") { c in
      RLValues.policyTable(try policyReceiver(c), c.vm)
    },
    Primitive("states", on: .property("policy"), returns: "an int", category: "tabular",
              doc: "|S| of the policy's table.", example: "print(policy([[0.5, 0.5]]).states)") { c in Value(try policyReceiver(c).stateCount) },
    Primitive("actions", on: .property("policy"), returns: "an int", category: "tabular",
              doc: "|A| of the policy's table.", example: "print(policy([[0.5, 0.5]]).actions)") { c in Value(try policyReceiver(c).actionCount) },
    Primitive("probs", on: .object("policy"), [ParameterSpec("state", .int)], returns: "a list of floats", category: "tabular",
              doc: "π(·|s).", example: "print(policy([[0.25, 0.75]]).probs(0))") { c in
      let p = try policyReceiver(c)
      return RLValues.list(try RLValues.run(c) { try p.distribution(at: c.int(0)) }, c.vm)
    },
    Primitive("greedy", on: .object("policy"), [ParameterSpec("state", .int)], returns: "an int", category: "tabular",
              doc: "The most probable action in a state (lowest index on ties).", example: "print(policy([[0.25, 0.75]]).greedy(0))  # 1") { c in
      let p = try policyReceiver(c)
      return Value(try RLValues.run(c) { try p.greedyAction(at: c.int(0)) })
    },
    Primitive("sample_episode", [ParameterSpec("mdp", RLValues.mdpLike), ParameterSpec("policy", RLValues.policyLike), RLValues.seedParameter],
              returns: "a record {states, actions, rewards, final_state, terminated, discounted_return}", category: "tabular",
              doc: "One episode of the policy in the MDP (at most H decisions; it stops on entering a terminal state). `discounted_return` is Σₜ γᵗ rₜ; `show(maze, trajectories: [episode])` draws it.",
              example: "\(chain)\nprint(sample_episode(mdp, uniform_policy(mdp), seed: 1).states)") { c in
      let mdp = try RLValues.mdp(c[0], c), p = try RLValues.policy(c[1], c)
      try checkPolicy(mdp, p, c)
      let e = try RLValues.withGenerator(c, seedIndex: 2) { g in try sampleEpisode(mdp, p, using: &g) }
      return RLValues.record([("states", RLValues.list(e.states, c.vm)), ("actions", RLValues.list(e.actions, c.vm)),
                              ("rewards", RLValues.list(e.rewards, c.vm)), ("final_state", Value(e.finalState)),
                              ("terminated", Value(e.terminated)), ("discounted_return", Value(e.discountedReturn(discount: mdp.discount)))], c.vm)
    },
  ]
}
