#!/usr/bin/env python3
"""Writes the extension's manifest keys into package.json (contributes, activationEvents,
capabilities, and the test:vscode / test:e2e scripts), leaving every other key as it is.
Run after editing this file: python3 scripts/vscode-test/contributes.py"""
import json, os, re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
PKG = os.path.join(ROOT, 'package.json')

JOB_ACTIVE = r"viewItem =~ /^job\.(queued|starting|running)\b/"
JOB_ANY = r"viewItem =~ /^job\./"
JOB_RUNNING = r"viewItem =~ /^job\.(starting|running)\b/"
VIEW = "view == cloudJobs.jobs"

def cmd(id, title, icon=None, **kw):
    c = {"command": f"cloudJobs.{id}", "title": title, "category": "Cloud Jobs"}
    if icon: c["icon"] = f"$({icon})"
    c.update(kw)
    return c

commands = [
    cmd("runOnEc2", "Run on EC2", "play"),
    cmd("attach", "Attach in Terminal", "terminal"),
    cmd("stop", "Stop", "debug-stop"),
    cmd("stopAll", "Stop All Jobs", "stop-circle"),
    cmd("showLogs", "Show Logs", "output"),
    cmd("openFullLog", "Open Full Log", "go-to-file"),
    cmd("refresh", "Refresh", "refresh"),
    cmd("rerun", "Re-run", "debug-restart"),
    cmd("pullResults", "Pull Results", "cloud-download"),
    cmd("rollback", "Rollback Workdir to Before the Job", "discard"),
    cmd("copyName", "Copy Name", "copy"),
    cmd("routeActiveTask", "Route Active Task", "compass"),
    cmd("runExperimentCycle", "Run Experiment Cycle", "beaker"),
    cmd("runExperimentFull", "Run Experiment Full (Survey + Cycle)", "beaker"),
    cmd("runExperimentProgram", "Run Experiment Program", "beaker"),
    cmd("setComputeTarget", "Set Compute Target", "server-environment"),
    cmd("openSettings", "Open Settings", "gear"),
    cmd("openEnvFile", "Open scripts/cloud/.env", "file"),
    cmd("useLocalTarget", "Use the Local Target", "device-desktop"),
    cmd("setSlackWebhook", "Set Slack Webhook URL"),
    cmd("forgetSecrets", "Forget Saved Secrets"),
    cmd("installCli", "Install 'orch' Command in PATH"),
    cmd("uninstallCli", "Uninstall 'orch' Command from PATH"),
    cmd("startBox", "Start Box", "play-circle"),
    cmd("stopBox", "Stop Box", "primitive-square"),
]

item_only = ["copyName", "openFullLog", "pullResults", "rerun", "rollback"]
menus = {
    "commandPalette": [{"command": f"cloudJobs.{c}", "when": "cloudJobs.hasJobs"} for c in item_only]
    + [{"command": f"cloudJobs.{c}", "when": "cloudJobs.isBox"} for c in ["startBox", "stopBox"]],
    "view/title": [
        {"command": "cloudJobs.runOnEc2", "when": VIEW, "group": "navigation@1"},
        {"command": "cloudJobs.refresh", "when": VIEW, "group": "navigation@2"},
        {"command": "cloudJobs.stopAll", "when": VIEW, "group": "navigation@3"},
        {"command": "cloudJobs.routeActiveTask", "when": VIEW, "group": "1_routing@1"},
        {"command": "cloudJobs.setComputeTarget", "when": VIEW, "group": "1_routing@2"},
        {"command": "cloudJobs.openSettings", "when": VIEW, "group": "2_settings@1"},
        {"command": "cloudJobs.openEnvFile", "when": VIEW, "group": "2_settings@2"},
    ],
    "view/item/context": [
        {"command": "cloudJobs.showLogs", "when": f"{VIEW} && {JOB_ANY}", "group": "inline@1"},
        {"command": "cloudJobs.attach", "when": f"{VIEW} && {JOB_RUNNING}", "group": "inline@2"},
        {"command": "cloudJobs.stop", "when": f"{VIEW} && {JOB_ACTIVE}", "group": "inline@3"},
        {"command": "cloudJobs.rerun", "when": f"{VIEW} && viewItem =~ /\\.rerunnable\\b/", "group": "inline@4"},
        {"command": "cloudJobs.showLogs", "when": f"{VIEW} && {JOB_ANY}", "group": "1_logs@1"},
        {"command": "cloudJobs.openFullLog", "when": f"{VIEW} && {JOB_ANY}", "group": "1_logs@2"},
        {"command": "cloudJobs.attach", "when": f"{VIEW} && {JOB_RUNNING}", "group": "2_control@1"},
        {"command": "cloudJobs.stop", "when": f"{VIEW} && {JOB_ACTIVE}", "group": "2_control@2"},
        {"command": "cloudJobs.rerun", "when": f"{VIEW} && viewItem =~ /\\.rerunnable\\b/", "group": "2_control@3"},
        {"command": "cloudJobs.pullResults", "when": f"{VIEW} && viewItem =~ /\\.pullable\\b/", "group": "3_results@1"},
        {"command": "cloudJobs.rollback", "when": f"{VIEW} && viewItem =~ /\\.rollbackable\\b/", "group": "3_results@2"},
        {"command": "cloudJobs.copyName", "when": f"{VIEW} && {JOB_ANY}", "group": "9_copy@1"},
        # an EC2 host's node: Start Box while it is stopped, Stop Box while it runs
        {"command": "cloudJobs.startBox", "when": f"{VIEW} && viewItem =~ /^host\\.box\\.stopped\\b/", "group": "inline@1"},
        {"command": "cloudJobs.stopBox", "when": f"{VIEW} && viewItem =~ /^host\\.box\\.running\\b/", "group": "inline@1"},
        {"command": "cloudJobs.startBox", "when": f"{VIEW} && viewItem =~ /^host\\.box\\.stopped\\b/", "group": "1_box@1"},
        {"command": "cloudJobs.stopBox", "when": f"{VIEW} && viewItem =~ /^host\\.box\\.(running|pending)\\b/", "group": "1_box@2"},
    ],
    "editor/context": [
        {"command": "cloudJobs.runOnEc2", "when": "isWorkspaceTrusted && resourceScheme == file", "group": "cloudJobs@1"},
        {"command": "cloudJobs.routeActiveTask", "when": "resourceScheme == file", "group": "cloudJobs@2"},
    ],
    "explorer/context": [
        {"command": "cloudJobs.runExperimentCycle", "when": "isWorkspaceTrusted && resourceExtname =~ /\\.(ya?ml|md|json)$/", "group": "cloudJobs@1"},
    ],
}

def setting(type_, desc, **kw):
    s = {"type": type_, "markdownDescription": desc}
    s.update(kw)
    return s

# One entry of cloudJobs.hosts: the keys of a hosts.yaml entry (the extension validates them with the core's zod schema).
HOST_ENTRY = {
    "kind": {"type": "string", "enum": ["tmux", "slurm"], "description": "tmux (default) or slurm (a Slurm login node)"},
    "host": {"type": "string", "description": "SSH host name, IP or ~/.ssh/config alias (default: the name)"},
    "user": {"type": "string"},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "identity_file": {"type": "string"},
    "known_hosts": {"type": "string"},
    "log_root": {"type": "string"},
    "remote_workdir": {"type": "string"},
    "max_parallel": {"type": "integer", "minimum": 1},
    "gpus": {"type": "integer", "minimum": 0},
    "ec2": {"type": "object", "required": ["instance_id"], "properties": {
        "instance_id": {"type": "string"}, "region": {"type": "string"}, "profile": {"type": "string"},
        "autostop_minutes": {"type": "integer", "minimum": 1}, "wake": {"type": "string", "enum": ["auto", "ask"]},
        "address": {"type": "string", "enum": ["public", "private"]}}},
    "autostop_minutes": {"type": "integer", "minimum": 1},
    "autostop_command": {"type": "string"},
    "cloudwatch": {"type": "string"},
}

configuration = {
    "title": "Cloud Jobs",
    "properties": {
        "cloudJobs.host": setting(["string", "null"], "EC2 host: name, IP or `~/.ssh/config` alias (`ORCH_HOST`). Empty: only the local tmux target works. `scripts/cloud/.env` and the environment take precedence.", default=None, order=1),
        "cloudJobs.user": setting(["string", "null"], "SSH user (`ORCH_USER`); default from the ssh config, else the local user.", default=None, order=2),
        "cloudJobs.port": setting(["integer", "null"], "SSH port (`ORCH_PORT`); default from the ssh config, else 22.", default=None, minimum=1, maximum=65535, order=3),
        "cloudJobs.identityFile": setting(["string", "null"], "Private key (`ORCH_IDENTITY_FILE`); default from the ssh config / ssh-agent. Its passphrase is asked once and kept in the system keychain.", default=None, scope="machine-overridable", order=4),
        "cloudJobs.knownHosts": setting(["string", "null"], "known_hosts file (`ORCH_KNOWN_HOSTS`); default `~/.ssh/known_hosts`. Host keys are always verified.", default=None, scope="machine-overridable", order=5),
        "cloudJobs.strictHostKeyChecking": setting(["string", "null"], "`yes`: an unknown host key is refused; `accept-new`: it is recorded on first use. A changed key is always refused.", enum=["yes", "accept-new", None], default=None, order=6),
        "cloudJobs.logRoot": setting(["string", "null"], "Log root on the host (`ORCH_LOG_ROOT`), default `~/logs`.", default=None, order=7),
        "cloudJobs.logRetentionDays": setting(["integer", "null"], "Days logs are kept on the host (`ORCH_LOG_RETENTION_DAYS`), default 30.", default=None, minimum=1, order=8),
        "cloudJobs.remoteWorkdir": setting(["string", "null"], "Where jobs run on the host (`ORCH_REMOTE_WORKDIR`), default `~/work/<project>`.", default=None, order=9),
        "cloudJobs.project": setting(["string", "null"], "Project part of generated job names (`ORCH_PROJECT`), default the workspace folder name.", default=None, order=10),
        "cloudJobs.maxParallel": setting(["integer", "null"], "Jobs running at once on the host; the rest wait as QUEUED (`ORCH_MAX_PARALLEL`). Default unlimited.", default=None, minimum=1, order=11),
        "cloudJobs.retries": setting(["integer", "null"], "Automatic retries of a failed job (`ORCH_RETRIES`), default 0.", default=None, minimum=0, order=12),
        "cloudJobs.autorun": setting("string", "AUTORUN: whether a task the routing policy decided is sent without asking. `full` (AUTORUN_FULL): `orch` tasks run where the policy decides and Run on EC2 starts at once. `confirm`: before anything goes to the cloud you see the policy's reasons and confirm (local decisions run here). `off`: no automatic routing: every `orch` task asks where to run, offering the workspace's `COMPUTE_TARGET` first, and Run on EC2 asks too. A `target` written in a task is never asked about.", enum=["off", "confirm", "full"], default="confirm", enumDescriptions=["No automatic routing: always ask where, COMPUTE_TARGET offered first.", "Show the routing reasons and ask before anything is sent to the cloud.", "Route and run without asking (AUTORUN_FULL)."], order=13),
        "cloudJobs.experimentScript": setting(["string", "null"], "The research kit's `experiment.sh`; default `./experiment.sh` at the workspace root, else `$ORCHESTRATION_KIT_ROOT/research-kit/experiment.sh`.", default=None, scope="machine-overridable", order=14),
        "cloudJobs.hosts": setting(["object", "null"], "Several hosts, as under `hosts:` in `scripts/cloud/hosts.yaml` (that file wins when the workspace has one): each key is the host's name in the tree and in `orch --host`, each value its own SSH settings over the ones above. See docs/hosts.md.", default=None, scope="machine-overridable", order=15,
                                   additionalProperties={"type": ["object", "null"], "additionalProperties": False, "properties": HOST_ENTRY}),
        "cloudJobs.defaultHost": setting(["string", "null"], "Which of `cloudJobs.hosts` **Run on EC2** offers first (`default:` of hosts.yaml); default the first one.", default=None, order=16),
    },
}

restricted = ["cloudJobs.host", "cloudJobs.user", "cloudJobs.port", "cloudJobs.identityFile", "cloudJobs.knownHosts",
              "cloudJobs.strictHostKeyChecking", "cloudJobs.logRoot", "cloudJobs.remoteWorkdir", "cloudJobs.experimentScript",
              "cloudJobs.hosts", "cloudJobs.defaultHost"]

task_definitions = [{
    "type": "orch",
    "required": ["command"],
    "properties": {
        "command": {"type": "string", "description": "Shell command line (bash). Routed by the policy: cloud runs become a job whose log streams here."},
        "name": {"type": "string", "description": "Job name (letters, digits, - and _); default <project>-<task>-<YYYYMMDD-HHMM>. A fixed name keeps older logs renamed."},
        "target": {"type": "string", "enum": ["auto", "cloud", "local"], "default": "auto", "description": "auto: ask the routing policy."},
        "runtime": {"type": "number", "description": "Runtime estimate in minutes."},
        "memory": {"type": "number", "description": "Memory estimate in GB."},
        "parallel": {"type": "integer", "description": "Jobs run in parallel."},
        "heavyLogs": {"type": "boolean", "description": "Heavy log output (watch, tail -f, dev server, build logs)."},
        "heavy": {"type": "array", "items": {"type": "string"}, "description": "Heavy workload kinds: llm, embedding, vector-db, scraping, aggregation."},
        "ui": {"type": "boolean", "description": "UI-centric (browser / IDE work)."},
        "light": {"type": "boolean", "description": "A lightweight check (git status, ls, a one-off command)."},
        "agent": {"type": "string", "description": "Agent name from the protocol's affinity table."},
    },
}]

contributes = {
    "viewsContainers": {"activitybar": [{"id": "cloudJobs", "title": "Cloud Jobs", "icon": "media/cloud-jobs.svg"}]},
    "views": {"cloudJobs": [{"id": "cloudJobs.jobs", "name": "Jobs", "icon": "media/cloud-jobs.svg", "contextualTitle": "Cloud Jobs"}]},
    "viewsWelcome": [
        {"view": "cloudJobs.jobs", "when": "!isWorkspaceTrusted",
         "contents": "Restricted Mode: Cloud Jobs reads no workspace env file and runs nothing remotely until you trust this workspace.\n[Manage Workspace Trust](command:workbench.trust.manage)"},
        {"view": "cloudJobs.jobs", "when": "isWorkspaceTrusted && cloudJobs.configError",
         "contents": "The Cloud Jobs configuration is invalid.\n[Open Settings](command:cloudJobs.openSettings)\n[Open scripts/cloud/.env](command:cloudJobs.openEnvFile)"},
        {"view": "cloudJobs.jobs", "when": "isWorkspaceTrusted && !cloudJobs.configError && !cloudJobs.hostConfigured && !cloudJobs.useLocal",
         "contents": "No EC2 host is configured. Jobs run in detached tmux sessions on your host over SSH.\n[Configure Host](command:cloudJobs.openSettings)\n[Open scripts/cloud/.env](command:cloudJobs.openEnvFile)\nOr run jobs in a local tmux server:\n[Use the Local Target](command:cloudJobs.useLocalTarget)"},
        {"view": "cloudJobs.jobs", "when": "isWorkspaceTrusted && !cloudJobs.configError && (cloudJobs.hostConfigured || cloudJobs.useLocal)",
         "contents": "No jobs yet.\n[Run on EC2](command:cloudJobs.runOnEc2)"},
    ],
    "commands": commands,
    "menus": menus,
    "configuration": configuration,
    "taskDefinitions": task_definitions,
}

with open(PKG) as f:
    pkg = json.load(f)
pkg["contributes"] = contributes
pkg["activationEvents"] = ["onTaskType:orch", "workspaceContains:.orchestration-kit.env", "workspaceContains:scripts/cloud/.env", "workspaceContains:scripts/cloud/hosts.yaml"]
pkg["capabilities"] = {
    "untrustedWorkspaces": {"supported": "limited", "description": "In Restricted Mode no workspace env file is read and nothing is run remotely.", "restrictedConfigurations": restricted},
    "virtualWorkspaces": False,
}
scripts = pkg.setdefault("scripts", {})
scripts["test:vscode"] = "mocha 'test/vscode/unit/**/*.test.ts' && tsx test/vscode/runExtensionTests.ts"
scripts["test:e2e"] = "tsx test/vscode/runE2e.ts"
for s in ["test:vscode", "test:e2e"]:
    if s == "test:e2e" and not os.path.exists(os.path.join(ROOT, "test/vscode/runE2e.ts")):
        scripts.pop(s, None)
        continue
    if f"npm run {s}" not in scripts.get("test", ""):
        scripts["test"] = scripts.get("test", "") + f" && npm run {s}"
with open(PKG, "w") as f:
    f.write(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n")
print("package.json: contributes, activationEvents, capabilities, test scripts written")
