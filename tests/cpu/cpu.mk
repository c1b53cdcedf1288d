# CPU test guests and their native twins (included by the top Makefile).
#
#   build/cpu-tests/<class>.elf     a freestanding guest, booted by Kiln as
#                                   a PVH ELF kernel (KILN_CPU lines on COM1)
#   build/cpu-tests/<class>.native  the same test body as a Linux program
#   build/cpu-tests/gen/seed-<N>.{elf,native}  generated sequences (gen/gen.py)
#
# The test bodies are compiled once, freestanding, and linked into both.

CPU_DIR := tests/cpu
CPU_OUT := build/cpu-tests
CPU_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Wshadow -Werror -ffreestanding \
	-fno-pic -fno-pie -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fcf-protection=none -fno-builtin \
	-I$(CPU_DIR)/lib -I$(CPU_DIR) -I$(CPU_DIR)/guest
CPU_GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,$(CPU_DIR)/guest/guest.ld \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
CPU_NATIVE_LDFLAGS := -static -no-pie -Wl,-z,noexecstack

# Classes that run both natively and as guests (user-level instructions),
# and those only a guest can run (CPL0: modes, paging, exceptions, interrupts).
CPU_SHARED_CLASSES := alu string sse x87
CPU_GUEST_CLASSES := modes paging exceptions interrupts
CPU_objs_alu := alu alu_ops
CPU_objs_string := string string_ops
CPU_objs_sse := sse sse_ops
CPU_objs_x87 := x87 x87_ops
CPU_objs_modes := modes modes_asm
CPU_objs_paging := paging
CPU_objs_exceptions := exceptions exceptions_asm
CPU_objs_interrupts := interrupts

# Generated sequences built by `make cpu-tests`: the regression seeds (every
# seed that ever diverged) and a fixed smoke set. tests/cpu/run.sh --gen N
# builds fresh ones on the fly.
CPU_GEN_SEEDS := $(shell sed -e 's/\#.*//' $(CPU_DIR)/gen/seeds.txt 2>/dev/null) 1 2 3 4 5 6 7 8
CPU_GEN_SEEDS := $(sort $(CPU_GEN_SEEDS))

CPU_RT_OBJS := $(addprefix $(CPU_OUT)/obj/,guest/boot.o guest/runtime.o guest/user.o lib/report.o)
CPU_NATIVE_RT := $(addprefix $(CPU_OUT)/obj/,native/harness.o lib/report.o)
CPU_ELFS := $(foreach c,$(CPU_SHARED_CLASSES) $(CPU_GUEST_CLASSES),$(CPU_OUT)/$(c).elf)
CPU_NATIVES := $(foreach c,$(CPU_SHARED_CLASSES),$(CPU_OUT)/$(c).native)
CPU_GEN := $(foreach s,$(CPU_GEN_SEEDS),$(CPU_OUT)/gen/seed-$(s).elf $(CPU_OUT)/gen/seed-$(s).native)

.PHONY: cpu-tests
cpu-tests: $(CPU_ELFS) $(CPU_NATIVES) $(CPU_GEN)

$(CPU_OUT)/obj/native/harness.o: $(CPU_DIR)/native/harness.c $(CPU_DIR)/lib/cpu_test.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -I$(CPU_DIR)/lib -c -o $@ $<

$(CPU_OUT)/obj/%.o: $(CPU_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPU_CFLAGS) -MMD -MP -c -o $@ $<

$(CPU_OUT)/obj/%.o: $(CPU_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(CPU_CFLAGS) -MMD -MP -c -o $@ $<

$(CPU_OUT)/obj/%.o: $(CPU_OUT)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(CPU_CFLAGS) -MMD -MP -c -o $@ $<

define CPU_CLASS_RULES
$(CPU_OUT)/$(1).elf: $(CPU_RT_OBJS) $(addprefix $(CPU_OUT)/obj/,$(addsuffix .o,$(CPU_objs_$(1)))) $(CPU_DIR)/guest/guest.ld
	$(CC) $(CPU_GUEST_LDFLAGS) -o $$@ $(CPU_RT_OBJS) $(addprefix $(CPU_OUT)/obj/,$(addsuffix .o,$(CPU_objs_$(1)))) -lgcc
$(CPU_OUT)/$(1).native: $(CPU_NATIVE_RT) $(addprefix $(CPU_OUT)/obj/,$(addsuffix .o,$(CPU_objs_$(1))))
	$(CC) $(CPU_NATIVE_LDFLAGS) -o $$@ $$^
endef
$(foreach c,$(CPU_SHARED_CLASSES) $(CPU_GUEST_CLASSES),$(eval $(call CPU_CLASS_RULES,$(c))))

# Generated sequences: gen.py writes the assembly; gen_main.c runs it.
$(CPU_OUT)/gen/seed-%.S: $(CPU_DIR)/gen/gen.py
	@mkdir -p $(dir $@)
	python3 $(CPU_DIR)/gen/gen.py --seed $* -o $@

$(CPU_OUT)/gen/seed-%.elf: $(CPU_RT_OBJS) $(CPU_OUT)/obj/gen/gen_main.o $(CPU_OUT)/obj/gen/seed-%.o
	$(CC) $(CPU_GUEST_LDFLAGS) -o $@ $^ -lgcc

$(CPU_OUT)/gen/seed-%.native: $(CPU_NATIVE_RT) $(CPU_OUT)/obj/gen/gen_main.o $(CPU_OUT)/obj/gen/seed-%.o
	$(CC) $(CPU_NATIVE_LDFLAGS) -o $@ $^

# Dependency files are only read: no rule may try to remake them (the
# seed pattern would take "2.d" for a seed).
$(CPU_OUT)/obj/%.d: ;
-include $(shell find $(CPU_OUT)/obj -name '*.d' 2>/dev/null)

# bench/cpu: compute kernels as a test guest (guest instructions per second).
$(CPU_OUT)/obj/bench/kernels.o: bench/cpu/kernels.c
	@mkdir -p $(dir $@)
	$(CC) $(CPU_CFLAGS) -MMD -MP -c -o $@ $<

$(CPU_OUT)/bench.elf: $(CPU_RT_OBJS) $(CPU_OUT)/obj/bench/kernels.o
	$(CC) $(CPU_GUEST_LDFLAGS) -o $@ $^ -lgcc
