// The peer of bench/authorize.py: the same scenario through @cloud-copilot/iam-simulate
// (an independent IAM simulator for Node), decisions per second on one core.
// Usage: node authz_peer.mjs SCENARIO.json SECONDS   (iam-simulate installed beside it)
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const [scenarioPath, secondsArg] = process.argv.slice(2)
const sc = JSON.parse(readFileSync(scenarioPath, 'utf8'))
const seconds = Number(secondsArg)
const names = { Allowed: 'allow', ExplicitlyDenied: 'explicit-deny', ImplicitlyDenied: 'implicit-deny' }

const simulations = sc.requests.map((r) => ({
  request: {
    principal: sc.principal.sessionArn,
    action: r.action,
    resource: { resource: r.resource, accountId: r.resourceAccount },
    contextVariables: r.context
  },
  identityPolicies: sc.identityPolicies.map((policy, i) => ({ name: `p${i}`, policy })),
  serviceControlPolicies: sc.scpLevels.map((policies, i) => ({
    orgIdentifier: i === 0 ? sc.orgRoot : `level${i}`,
    policies: policies.map((policy, k) => ({ name: `scp${i}-${k}`, policy }))
  })),
  resourceControlPolicies: [],
  resourcePolicy: r.bucket ? sc.resourcePolicy : undefined
}))

const decisions = []
for (const s of simulations) {
  const res = await runSimulation(s, {})
  if (res.resultType === 'error') {
    console.error(JSON.stringify(res.errors))
    process.exit(2)
  }
  decisions.push(names[res.overallResult] || res.overallResult)
}
let done = 0
const t0 = process.hrtime.bigint()
let elapsed = 0
while (elapsed < seconds) {
  for (let b = 0; b < 50; b++) {
    await runSimulation(simulations[done % simulations.length], {})
    done++
  }
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9
}
console.log(JSON.stringify({ decisions: done, seconds: elapsed, per_second: done / elapsed, decisions_by_request: decisions }))
