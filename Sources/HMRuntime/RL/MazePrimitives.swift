import HMRL
import HMPlot

/// Grid mazes, goal-task families, the §IV.A two-state MDP and bandit families in hm.
enum MazePrimitives {
  static let smallMaze = "let m = maze(\"#####\\n#S.G#\\n#####\", horizon: 5)"

  static func maze(_ call: NativeCall) throws -> GridMaze {
    guard let box = call.receiver.tag == .object ? call.receiver.nativeObject.payload as? MazeBox : nil else {
      throw call.error("not a maze")
    }
    return box.maze
  }

  static func property(_ name: String, returns: String, doc: String, _ body: @escaping (NativeCall, GridMaze) throws -> Value) -> Primitive {
    Primitive(name, on: .property("maze"), [], returns: returns, category: "environments", doc: doc,
              example: "\(smallMaze)\nprint(m.\(name))") { c in try body(c, try maze(c)) }
  }

  static func method(_ name: String, _ params: [ParameterSpec], returns: String, doc: String, example: String,
                     _ body: @escaping (NativeCall, GridMaze) throws -> Value) -> Primitive {
    Primitive(name, on: .object("maze"), params, returns: returns, category: "environments", doc: doc,
              example: "\(smallMaze)\n\(example)") { c in try body(c, try maze(c)) }
  }

  /// Trajectories to draw: a greedy `path` (a policy, or a list of states) and `trajectories`
  /// (lists of states).
  static func trajectories(_ m: GridMaze, path: Value, trajectories: Value, _ call: NativeCall) throws -> [[Int]] {
    var out: [[Int]] = []
    if !path.isNil {
      let isPolicy = path.tag == .object ? path.nativeObject.payload is PolicyBox : path.tag == .list && path.listObject.items.first?.tag == .list
      if isPolicy {
        let policy = try RLValues.policy(path, call, "path")
        out.append(try RLValues.run(call) { try m.greedyPath(policy) })
      } else {
        out.append(try RLValues.states(path, call, "path"))
      }
    }
    if !trajectories.isNil {
      guard trajectories.tag == .list else { throw call.error("trajectories must be a list of state lists") }
      for (i, t) in trajectories.listObject.items.enumerated() {
        // An episode record from `sample_episode`: its states and the state it ended in.
        if t.tag == .map, let states = try t.mapObject.get(call.vm.heap.intern("states")) {
          var path = try RLValues.states(states, call, "trajectories[\(i)].states")
          if let last = try t.mapObject.get(call.vm.heap.intern("final_state")), last.tag == .int { path.append(last.int) }
          out.append(path)
        } else {
          out.append(try RLValues.states(t, call, "trajectories[\(i)]"))
        }
      }
    }
    return out
  }

  static func position(_ m: GridMaze, _ s: Int, _ vm: VM) -> Value {
    vm.heap.makeList([Value(m.positions[s].row), Value(m.positions[s].column)])
  }

  static let pathParameters = [
    ParameterSpec("path", .optional(.oneOf([.object("policy"), .list, .range])), default: .nil,
                  doc: "a policy (its greedy path from the start is drawn) or a list of states"),
    ParameterSpec("trajectories", .optional(.list), default: .nil, doc: "state sequences to draw, or episodes from `sample_episode`"),
  ]

  static let all: [Primitive] = [
    Primitive("maze", [ParameterSpec("map", .string, doc: "ASCII map: # wall, . free, S start (one), G goal (at most one), H hole"),
                       ParameterSpec("horizon", .int, default: .int(50), doc: "decisions per episode, H ≥ 1"),
                       ParameterSpec("reward", .string, default: .string("sparse"), doc: "\"sparse\", \"minigrid\" or \"dense\""),
                       ParameterSpec("slip", .bool, default: .bool(false), doc: "FrozenLake slip: 1/3 intended, 1/3 each perpendicular"),
                       ParameterSpec("gamma", .number, default: .float(1), doc: "discount γ ∈ [0, 1]"),
                       ParameterSpec("observation", .string, default: .string("one_hot"), doc: "\"one_hot\" ([S]) or \"coordinates\" (normalised [x, y])")],
              returns: "a maze", category: "environments",
              doc: "A grid maze from an ASCII map (indentation and blank lines around it are removed, so triple-quoted strings work). States are the non-wall cells in row-major order; actions 0 up, 1 down, 2 left, 3 right (a move into a wall stays). Rewards: sparse 1 on entering the goal (the episode ends); minigrid 1 − 0.9·(t+1)/H; dense −(shortest-path distance to the goal) each step. Goal and holes are terminal. Errors name the row and column of a bad map.",
              example: "let m = maze(\"\"\"\n  #######\n  #S...G#\n  #######\n  \"\"\", horizon: 10, reward: \"minigrid\")\nprint(m.states)  # 5") { c in
      guard let kind = GridMaze.RewardKind(rawValue: c.string(2)) else {
        throw c.error("reward must be \"sparse\", \"minigrid\" or \"dense\", got \(quote(c.string(2)))")
      }
      let observation = try observationKind(c.string(5), c)
      let m = try RLValues.run(c) { try GridMaze(map: c.string(0), horizon: c.int(1), reward: kind, slippery: c.bool(3), discount: c.double(4)) }
      return c.vm.heap.makeObject(MazeBox(m, observation: observation))
    },
    property("width", returns: "an int", doc: "Columns of the map.") { c, m in Value(m.columns) },
    property("height", returns: "an int", doc: "Rows of the map.") { c, m in Value(m.rows) },
    property("states", returns: "an int", doc: "Number of states (non-wall cells).") { c, m in Value(m.stateCount) },
    property("actions", returns: "an int", doc: "Number of actions (4: up, down, left, right).") { c, m in Value(m.actionCount) },
    property("start", returns: "an int", doc: "The start state.") { c, m in Value(m.startState) },
    property("goal", returns: "an int or nil", doc: "The goal state, or nil without a goal.") { c, m in
      m.goal.flatMap { m.state(at: $0) }.map { Value($0) } ?? .nil
    },
    property("horizon", returns: "an int", doc: "Decisions per episode, H.") { c, m in Value(m.horizon) },
    property("reward", returns: "a string", doc: "The reward kind: sparse, minigrid or dense.") { c, m in c.vm.heap.makeString(m.reward.rawValue) },
    property("gamma", returns: "a float", doc: "The discount γ.") { c, m in Value(m.discount) },
    property("slip", returns: "a bool", doc: "Whether moves slip (FrozenLake).") { c, m in Value(m.slippery) },
    property("observation_kind", returns: "a string", doc: "What `observation(s)` returns by default: one_hot or coordinates.") { c, m in
      c.vm.heap.makeString((c.receiver.nativeObject.payload as? MazeBox)?.observation == .normalizedCoordinates ? "coordinates" : "one_hot")
    },
    property("mdp", returns: "an mdp", doc: "The maze's exact tabular MDP (p₀ on the start cell).") { c, m in c.vm.heap.makeObject(MDPBox(m.mdp)) },
    property("positions", returns: "a list of [row, column]", doc: "The cell of each state.") { c, m in
      c.vm.heap.makeList((0..<m.stateCount).map { position(m, $0, c.vm) })
    },
    method("position", [ParameterSpec("state", .int)], returns: "[row, column]", doc: "The cell of a state.",
           example: "print(m.position(m.goal))  # [1, 3]") { c, m in
      guard c.int(0) >= 0, c.int(0) < m.stateCount else { throw c.error("state \(c.int(0)) is out of range 0..<\(m.stateCount)") }
      return position(m, c.int(0), c.vm)
    },
    method("state", [ParameterSpec("row", .int), ParameterSpec("column", .int)], returns: "an int or nil",
           doc: "The state of a cell, or nil for a wall or a cell off the map.", example: "print(m.state(1, 2))  # 1") { c, m in
      m.state(at: GridPosition(row: c.int(0), column: c.int(1))).map { Value($0) } ?? .nil
    },
    method("transition", [ParameterSpec("state", .int), ParameterSpec("action", .int)], returns: "a list of floats",
           doc: "P(·|s, a): the next-state distribution of one move.", example: "print(m.transition(0, 3))  # [0.0, 1.0, 0.0]") { c, m in
      RLValues.list(try RLValues.run(c) { try m.transition(from: c.int(0), action: c.int(1)) }, c.vm)
    },
    method("observation", [ParameterSpec("state", .int), ParameterSpec("kind", .optional(.string), default: .nil, doc: "\"one_hot\" or \"coordinates\" (normalised [x, y]); by default the maze's `observation`")],
           returns: "a list of floats", doc: "The observation of a state: one-hot over states, or normalised coordinates [column/(columns−1), row/(rows−1)].",
           example: "print(m.observation(2, kind: \"coordinates\"))  # [0.75, 0.5]") { c, m in
      let box = c.receiver.nativeObject.payload as? MazeBox
      let kind = c.isGiven(1) ? try observationKind(c.string(1), c) : box?.observation ?? .oneHot
      return RLValues.list(try RLValues.run(c) { try m.observation(of: c.int(0), as: kind) }, c.vm)
    },
    method("greedy_path", [ParameterSpec("policy", RLValues.policyLike)], returns: "a list of states",
           doc: "The path that follows the most probable action with the intended move from the start, until a terminal state, the horizon, or a move that goes nowhere.",
           example: "print(m.greedy_path(value_iteration(m).policy))  # [0, 1, 2]") { c, m in
      let p = try RLValues.policy(c[0], c)
      return RLValues.list(try RLValues.run(c) { try m.greedyPath(p) }, c.vm)
    },
    method("render", pathParameters + [ParameterSpec("ascii", .bool, default: .bool(false), doc: "ASCII glyphs (# . H ^ v < >) instead of Unicode")],
           returns: "a string", doc: "The maze as text, one character per cell, with paths drawn as arrows (Unicode: █ wall, · free, ○ hole, ↑↓←→; ASCII: # . H ^ v < >).",
           example: "print(m.render(path: [0, 1, 2], ascii: true))") { c, m in
      let ts = try trajectories(m, path: c[0], trajectories: c[1], c)
      return c.vm.heap.makeString(try RLValues.run(c) { try m.render(trajectories: ts, glyphs: c.bool(2) ? .ascii : .unicode) })
    },
    Primitive("save_svg", [ParameterSpec("maze", .object("maze")), ParameterSpec("file", .string)] + pathParameters +
              [ParameterSpec("cell_size", .number, default: .float(24), doc: "side of a cell in SVG units")],
              category: "environments",
              doc: "Writes the maze (and paths) as a standalone SVG file, atomically: cells as squares, trajectories as coloured polylines.",
              example: "\(smallMaze)\nsave_svg(m, \"/tmp/hm_doc_maze.svg\", path: [0, 1, 2])") { c in
      let m = (try c.object(0, as: MazeBox.self)).maze
      let ts = try trajectories(m, path: c[2], trajectories: c[3], c)
      let svg = try RLValues.run(c) { try m.svg(trajectories: ts, cellSize: c.double(4)) }
      try FilePrimitives.writeAtomically(svg, to: c.string(1))
      return .nil
    },
    Primitive("goal_tasks", [ParameterSpec("maze", .object("maze"))], returns: "a list of tasks", category: "environments",
              doc: "One task per free cell (every non-wall cell except the start and holes), in row-major order: the same maze with the goal moved there. Task features are the goal's normalised coordinates.",
              example: "\(smallMaze)\nlet family = goal_tasks(m)\nprint(len(family), family[0].features)  # 2 [0.5, 0.5]") { c in
      let m = (try c.object(0, as: MazeBox.self)).maze
      let tasks = try RLValues.run(c) { try goalTasks(m) }
      return c.vm.heap.makeList(tasks.enumerated().map { c.vm.heap.makeObject(GoalTaskBox($1, index: $0)) })
    },
    Primitive("goal", on: .property("task"), returns: "[row, column]", category: "environments",
              doc: "The task's goal cell.", example: "\(smallMaze)\nprint(goal_tasks(m)[1].goal)  # [1, 3]") { c in
      let t = try task(c)
      return c.vm.heap.makeList([Value(t.task.goal.row), Value(t.task.goal.column)])
    },
    Primitive("features", on: .property("task"), returns: "a list of floats", category: "environments",
              doc: "The task's feature vector: the goal's normalised coordinates [x, y].", example: "\(smallMaze)\nprint(goal_tasks(m)[1].features)") { c in
      RLValues.list(try task(c).task.features, c.vm)
    },
    Primitive("maze", on: .property("task"), returns: "a maze", category: "environments",
              doc: "The task's maze (the base maze with the goal moved to the task's cell), built on demand.",
              example: "\(smallMaze)\nprint(goal_tasks(m)[0].maze.goal)  # 1") { c in
      let t = try task(c)
      return c.vm.heap.makeObject(MazeBox(try RLValues.run(c) { try t.task.maze() }))
    },
    Primitive("two_state_mdp", [ParameterSpec("p1", .number, default: .float(0), doc: "p₀(1), the probability of starting in state 1"),
                                ParameterSpec("horizon", .int, default: .int(10)), ParameterSpec("gamma", .number, default: .float(1))],
              returns: "a record {mdp, theta, phi}", category: "environments",
              doc: "The research note's §IV.A example: two states, actions 0 stay and 1 switch, reward 1 per decision ending in state 1; with the note's policies π_θ (stay, stay) and π_φ (stay, switch). With p1 = 0 state 1 is never reached, so d_E = P = 0 while d_P > 0.",
              example: "let ex = two_state_mdp(p1: 0.25, horizon: 5)\nprint(policy_divergence(ex.mdp, ex.theta, ex.phi))") { c in
      let mdp = try RLValues.run(c) { try twoStateMDP(probabilityOfStartingInState1: c.double(0), horizon: c.int(1), discount: c.double(2)) }
      let (theta, phi) = try RLValues.run(c) { try twoStateExamplePolicies() }
      return RLValues.record([("mdp", c.vm.heap.makeObject(MDPBox(mdp))), ("theta", RLValues.makePolicy(theta, c.vm)),
                              ("phi", RLValues.makePolicy(phi, c.vm))], c.vm)
    },
    Primitive("bandit_family", [ParameterSpec("count", .int), ParameterSpec("arms", .int, default: .int(5)),
                                ParameterSpec("horizon", .int, default: .int(10)), RLValues.seedParameter],
              returns: "a list of bandits", category: "environments",
              doc: "`count` k-armed Bernoulli bandits with arm means uniform in [0, 1]. A bandit is a one-state MDP: `value_iteration(b)` and the metrics accept it.",
              example: "let family = bandit_family(3, arms: 2, seed: 1)\nprint(len(family), len(family[0].arm_means))  # 3 2") { c in
      guard c.int(0) <= 1_000_000, c.int(1) <= 100_000 else { throw c.error("at most 1 000 000 bandits of 100 000 arms") }
      let family = try RLValues.withGenerator(c, seedIndex: 3) { g in try banditFamily(count: c.int(0), arms: c.int(1), horizon: c.int(2), using: &g) }
      return c.vm.heap.makeList(family.map { c.vm.heap.makeObject(BanditBox($0)) })
    },
    Primitive("arm_means", on: .property("bandit"), returns: "a list of floats", category: "environments",
              doc: "The arms' success probabilities (also the task features).", example: "print(bandit_family(1, seed: 2)[0].arm_means)") { c in
      RLValues.list(try bandit(c).armMeans, c.vm)
    },
    Primitive("optimal_return", on: .property("bandit"), returns: "a float", category: "environments",
              doc: "The best arm's mean times the horizon.", example: "print(bandit_family(1, seed: 2)[0].optimal_return)") { c in
      Value(try bandit(c).optimalReturn)
    },
    Primitive("mdp", on: .property("bandit"), returns: "an mdp", category: "environments",
              doc: "The bandit as a one-state tabular MDP (expected rewards).", example: "print(bandit_family(1, seed: 2)[0].mdp)") { c in
      let b = try bandit(c)
      return c.vm.heap.makeObject(MDPBox(try RLValues.run(c) { try b.tabularMDP() }))
    },
  ]

  static func observationKind(_ s: String, _ c: NativeCall) throws -> GridMaze.ObservationKind {
    switch s {
    case "one_hot": return .oneHot
    case "coordinates": return .normalizedCoordinates
    default: throw c.error("observation must be \"one_hot\" or \"coordinates\", got \(quote(s))")
    }
  }

  static func task(_ c: NativeCall) throws -> GoalTaskBox {
    guard c.receiver.tag == .object, let t = c.receiver.nativeObject.payload as? GoalTaskBox else { throw c.error("not a task") }
    return t
  }

  static func bandit(_ c: NativeCall) throws -> Bandit {
    guard c.receiver.tag == .object, let b = c.receiver.nativeObject.payload as? BanditBox else { throw c.error("not a bandit") }
    return b.bandit
  }
}
