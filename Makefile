# zkrtl: `make gen` writes the RTL of zkrtl.config.json into rtl-out/, `make test` runs every
# test (model, lint, Verilator equivalence, synthesis smoke). Both install what they need.

ZKRTL := node bin/zkrtl.mjs
DEPS  := node_modules/.package-lock.json
FIELD ?= bn254.fr
BLOCK ?= montmul
TARGET ?= xilinx

.PHONY: gen sim test lint synth bench tools clean

# npm dependencies, reinstalled when the lock file changes.
$(DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

gen: $(DEPS)
	$(ZKRTL) gen

# Verilator (and later tools): installed from Debian when missing and root, else a one-line hint.
tools: $(DEPS)
	$(ZKRTL) tools

sim: tools
	$(ZKRTL) sim

test: tools
	npx vitest run

lint: tools
	$(ZKRTL) lint

synth: $(DEPS)
	$(ZKRTL) synth $(BLOCK) --field $(FIELD) --target $(TARGET) --netlist json,edif,blif,verilog

bench: tools
	npm run bench

clean:
	rm -rf rtl-out synth-out sim-out .cache
