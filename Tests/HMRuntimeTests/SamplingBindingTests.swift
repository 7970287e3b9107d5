import Foundation
import Testing
import HMRuntime
import HMTensor

/// Policies, 2D navigation, sampling and advantages in hm (issue 5, part 8).
struct SamplingBindingTests {
  func run(_ code: String) throws -> HostValue {
    let hm = Interpreter(output: { _ in })
    return try hm.evaluate(code)
  }

  @Test func sameSeedSameBatchOtherSeedOther() throws {
    let v = try run("""
      let pi = gaussian_mlp(2, 2, hidden: [16])
      let theta = pi.init(seed: 0)
      let task = navigation2d(goal: [0.3, -0.2])
      let a = sample(task, pi, theta, episodes: 6, seed: 5, iteration: 2, task: 1)
      let b = sample(task, pi, theta, episodes: 6, seed: 5, iteration: 2, task: 1)
      let c = sample(task, pi, theta, episodes: 6, seed: 6, iteration: 2, task: 1)
      [a.actions.tolist() == b.actions.tolist(), a.returns == b.returns, a.actions.tolist() == c.actions.tolist(),
       a.observations.shape, a.rewards.shape, len(a.trajectory(0).rewards) == a.lengths[0]]
      """)
    #expect(v == .list([.bool(true), .bool(true), .bool(false), .list([.int(6), .int(100), .int(2)]),
                        .list([.int(6), .int(100)]), .bool(true)]))
  }

  @Test func reinforceInHmImprovesTheReturn() throws {
    let v = try run("""
      let pi = gaussian_mlp(2, 2, hidden: [32, 32])
      var theta = pi.init(seed: 0)
      let task = navigation2d(goal: [0.3, -0.2])
      var first = nil
      var last = nil
      for it in 0..15 {
        let b = sample(task, pi, theta, episodes: 20, seed: 1, iteration: it)
        if first == nil { first = b.mean_return }
        last = b.mean_return
        let adv = b.advantages(gamma: 0.99).advantages
        let g = grad(fn(th) => -(pi.log_prob(b.observations, b.actions, th) * adv * b.masks).sum() / b.episodes)(theta)
        var next = {}
        for k in theta.keys() { next[k] = (theta[k] - 0.01 * g[k]).detach() }
        theta = next
      }
      [first, last]
      """)
    guard case .list(let pair) = v, let first = pair[0].double, let last = pair[1].double else { Issue.record("\(v)"); return }
    #expect(last > first + 30, "REINFORCE should improve the return: \(first) → \(last)")
  }

  @Test func metaBatchIsTheSameWithOneAndTwoThreads() throws {
    let code = """
      let pi = gaussian_mlp(2, 2, hidden: [16])
      let batches = sample_tasks(navigation2d_tasks(6, seed: 3), pi, pi.init(seed: 2), episodes: 8, seed: 9, iteration: 4)
      map(batches, fn(b) => b.actions.sum().item())
      """
    let one = try Parallelism.$threadCount.withValue(1) { try run(code) }
    let two = try Parallelism.$threadCount.withValue(2) { try run(code) }
    #expect(one == two)
    guard case .list(let sums) = one else { Issue.record("\(one)"); return }
    #expect(sums.count == 6 && Set(sums.map(\.description)).count == 6)
  }

  @Test func userDefinedContinuousMDP() throws {
    // A 1-D walk towards 0.5: the step function runs once per time step for the whole batch.
    let v = try run("""
      let walk = continuous_mdp(1, 1, 20, [0.0], fn(obs, act, t) {
        let next = obs + act.clamp(min: -0.1, max: 0.1)
        {next: next, rewards: -(next - 0.5).abs().sum(axis: 1), done: (next - 0.5).abs().sum(axis: 1).lt(0.05)}
      })
      let pi = gaussian_mlp(1, 1, hidden: [8])
      let b = sample(walk, pi, pi.init(), episodes: 5, seed: 1)
      [b.observations.shape, b.mean_return < 0]
      """)
    #expect(v == .list([.list([.int(5), .int(20), .int(1)]), .bool(true)]))
    let hm = Interpreter(output: { _ in })
    do {
      try hm.evaluate("""
        let bad = continuous_mdp(2, 1, 5, [0.0, 0.0], fn(obs, act, t) => {next: zeros([3]), rewards: zeros([1])})
        let pi = gaussian_mlp(2, 1, hidden: [4])
        sample(bad, pi, pi.init(), episodes: 2)
        """)
      Issue.record("a wrong shape from the step function must fail")
    } catch { #expect(!error.items.isEmpty) }
  }

  @Test func mazePoliciesAndTabularSampling() throws {
    let v = try run("""
      let m = maze(\"\"\"
        #####
        #S.G#
        #####
        \"\"\", horizon: 6)
      let pi = categorical_mlp(m, hidden: [8])
      let soft = softmax_policy(m)
      let b = sample(m, soft, soft.init(), episodes: 4, seed: 2)
      [b.observations.shape[2], b.actions.shape, pi.log_prob(b.observations, b.actions, pi.init()).shape]
      """)
    #expect(v == .list([.int(3), .list([.int(4), .int(6), .int(1)]), .list([.int(4), .int(6)])]))
  }

  @Test func parametersRoundTripThroughSafetensors() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hm-theta-\(getpid()).safetensors").path
    let v = try run("""
      let theta = gaussian_mlp(2, 2, hidden: [8]).init(seed: 4)
      save_params("\(path)", theta)
      let back = load_params("\(path)")
      [back.keys() == theta.keys(), all(map(theta.keys(), fn(k) => back[k].tolist() == theta[k].tolist()))]
      """)
    #expect(v == .list([.bool(true), .bool(true)]))
  }

  @Test("bad input is a language error", arguments: [
    ("sample(navigation2d(goal: [0, 0]), categorical_mlp(3, actions: 2), categorical_mlp(3, actions: 2).init())", "maps 3 observation numbers"),
    ("navigation2d(goal: [0, 0], reward: \"l1\")", "reward must be"),
    ("navigation2d_tasks(2, variant: \"corner\")", "variant must be"),
    ("sample(3, gaussian_mlp(2, 2), gaussian_mlp(2, 2).init())", "expected an environment"),
    ("gaussian_mlp(2, 2).log_prob(zeros([3, 2]), zeros([3, 2]), {W: 1})", "parameter entries"),
    ("load_params(\"/nonexistent.safetensors\")", "nonexistent"),
  ])
  func badInput(_ code: String, _ message: String) {
    let hm = Interpreter(output: { _ in })
    do { try hm.evaluate(code); Issue.record("\(code) should fail") }
    catch { #expect(error.rendered().contains(message), "\(error.rendered())") }
  }
}

/// The buffer R in hm.
struct BufferBindingTests {
  @Test func insertSampleRankSaveLoad() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hm-R-\(getpid()).json").path
    let hm = Interpreter(output: { _ in })
    let v = try hm.evaluate("""
      let pi = gaussian_mlp(2, 2, hidden: [8])
      let R = buffer(capacity: 50)
      for i, task in enumerate(navigation2d_tasks(3, seed: 1)) {
        let b = sample(task, pi, pi.init(), episodes: 6, task: i, seed: 2)
        R.insert(b, top_quantile: 0.5)
      }
      let s = R.stats()
      R.save("\(path)")
      let back = load_buffer("\(path)")
      [s.size == back.size, len(s.per_task), len(R.sample(100, task: 1)) == s.per_task[1],
       R.ranked(1, fn(e) => e.return)[0].return == s.max_return, len(R.sample(2, task: fn(e) => e.task != 1))]
      """)
    #expect(v == .list([.bool(true), .int(3), .bool(true), .bool(true), .int(2)]))
  }
}
