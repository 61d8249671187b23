"""Getting the programs: install missing peers, build balance with native AOT."""

import os
import shutil
import subprocess

# program -> Debian package that provides it
PEER_PACKAGES = {
    "haproxy": "haproxy",
    "nginx": "nginx",
    "pen": "pen",
    "wrk": "wrk",
    "iperf3": "iperf3",
}
STREAM_MODULE_PACKAGE = "libnginx-mod-stream"
STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"


def missing_packages():
    missing = [pkg for prog, pkg in PEER_PACKAGES.items() if not shutil.which(prog)]
    if not os.path.exists(STREAM_MODULE):
        missing.append(STREAM_MODULE_PACKAGE)
    return missing


def install_peers(log):
    """apt-get install whatever is missing, if we may; never fatal."""
    missing = missing_packages()
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log(f"missing packages (not installing, not root or no apt-get): {' '.join(missing)}")
        return
    log(f"installing {' '.join(missing)} with apt-get ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends"] + missing
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            log(f"apt-get failed: {r.stderr.strip().splitlines()[-1:]}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"apt-get failed: {exc}")


def source_revision(repo):
    try:
        rev = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "unknown"
    return f"{rev or 'unknown'}{'-dirty' if dirty else ''}"


def build_balance(repo, out_dir, log_path, log):
    """dotnet publish with native AOT; the binary's path, or None with a message."""
    project = os.path.join(repo, "src", "Balance", "Balance.csproj")
    if not os.path.exists(project):
        log(f"skipping balance: no project at {project} (use --balance PATH for a prebuilt binary)")
        return None
    if not shutil.which("dotnet"):
        log("skipping balance: dotnet is not installed (use --balance PATH)")
        return None
    log(f"building balance (native AOT) into {out_dir} ...")
    cmd = ["dotnet", "publish", project, "-c", "Release", "-r", "linux-x64", "-o", out_dir]
    try:
        with open(log_path, "w") as f:
            r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=1200)
    except subprocess.TimeoutExpired:
        log(f"skipping balance: build timed out (log: {log_path})")
        return None
    binary = os.path.join(out_dir, "balance")
    if r.returncode != 0 or not os.path.exists(binary):
        with open(log_path, errors="replace") as f:
            errors = [l.strip() for l in f if ": error " in l][:3]
        log(f"skipping balance: build failed (log: {log_path})")
        for e in errors:
            log(f"  {e}")
        return None
    return binary
