#!/usr/bin/env python3
"""The differential tester's generator: random user-level instruction
sequences as GNU assembly, from a seed.

    gen.py --seed N [--seqs K] [--len L] -o seed-N.S

Each of the K sequences is a function (see gen_main.c for the harness):
it loads every general register but rsp and r15 (r15 holds the base of a
512-byte memory arena) with random values, xmm0-7 with random bytes,
RFLAGS with random arithmetic flags and DF, runs L random instructions
(every operand size, register, memory and immediate forms, high-byte
registers, 66/REX/F2/F3 prefixes where valid, redundant segment prefixes),
then dumps the registers, RFLAGS, MXCSR and xmm0-7 next to the arena.
gen_main.c hashes the dump and the arena: one CRC per sequence.

Values the SDM leaves undefined (AF after AND, OF after a multi-bit
shift, all flags after DIV, BSF's destination for a zero source, ...) are
tracked statically as "taint" through everything computed from them (a
register, a flag, an 8-byte arena slot, an xmm register); each sequence's
table row carries the taint masks, and gen_main.c hashes the tainted parts
separately (key ".undef"), as the corpus does. The same .S file links into
a guest and a native program: nothing depends on where the arena lives.
"""

import argparse
import random
import sys

ARENA = 512
# Dump layout relative to the arena base (r15): see gen_main.c.
DUMP_REGS = -256      # 16 x 8 bytes, by register number
DUMP_FLAGS = -128
DUMP_MXCSR = -120
DUMP_XMM = -384       # 8 x 16 bytes
# struct gen_state: xmm[8][16], regs[16], flags, mxcsr(+pad), ..., arena

CF, PF, AF, ZF, SF, OF, DF = 0x1, 0x4, 0x10, 0x40, 0x80, 0x800, 0x400
ARITH = CF | PF | AF | ZF | SF | OF

R64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
       "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
R32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] + \
    ["r%dd" % i for i in range(8, 16)]
R16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] + \
    ["r%dw" % i for i in range(8, 16)]
R8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"] + \
    ["r%db" % i for i in range(8, 16)]
HIGH = {0: "ah", 1: "ch", 2: "dh", 3: "bh"}
USABLE = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]  # not rsp, r15
RAX, RCX, RDX, RBX, RSI, RDI = 0, 1, 2, 3, 6, 7
SUFFIX = {1: "b", 2: "w", 4: "l", 8: "q"}
CONDS = {"o": OF, "no": OF, "b": CF, "ae": CF, "e": ZF, "ne": ZF,
         "be": CF | ZF, "a": CF | ZF, "s": SF, "ns": SF, "p": PF, "np": PF,
         "l": SF | OF, "ge": SF | OF, "le": ZF | SF | OF, "g": ZF | SF | OF}


def reg(n, size, high=False):
    if high:
        return "%" + HIGH[n]
    return "%" + {1: R8, 2: R16, 4: R32, 8: R64}[size][n]


class Seq:
    """One sequence being generated, with its taint state."""

    def __init__(self, rng):
        self.rng = rng
        self.lines = []
        self.rtaint = [False] * 16
        self.xtaint = [False] * 8
        self.ftaint = 0          # tainted flag bits
        self.mtaint = [False] * (ARENA // 8)
        self.csrtaint = False    # MXCSR's exception flags

    # ---- taint bookkeeping ----
    def slots(self, off, size):
        return range(off // 8, (off + size - 1) // 8 + 1)

    def mem_tainted(self, off, size):
        return any(self.mtaint[s] for s in self.slots(off, size))

    def set_mem(self, off, size, t):
        for s in self.slots(off, size):
            # A partial write keeps the rest of the slot's taint.
            whole = off <= s * 8 and off + size >= s * 8 + 8
            self.mtaint[s] = t or (self.mtaint[s] and not whole)

    def set_reg(self, n, size, t, high=False):
        if size >= 4 and not high:
            self.rtaint[n] = t          # 32-bit writes zero-extend
        else:
            self.rtaint[n] = self.rtaint[n] or t

    def write_flags(self, written, undefined, t):
        """Flags in `written` get the inputs' taint t; `undefined` ones
        are tainted regardless; the rest keep theirs."""
        self.ftaint &= ~written
        if t:
            self.ftaint |= written
        self.ftaint |= undefined

    def emit(self, text):
        self.lines.append("\t" + text)

    # ---- operands ----
    def pick_reg(self, avoid=()):
        return self.rng.choice([r for r in USABLE if r not in avoid])

    def mem(self, size, align=1, avoid=()):
        """A memory operand for [off, off + size) of the arena: base r15
        and a displacement, sometimes with an index register loaded with
        a small known value first (never one of `avoid`)."""
        off = self.rng.randrange(0, ARENA - size + 1)
        off -= off % align
        if self.rng.random() < 0.3:
            idx = self.pick_reg(avoid=avoid)
            scale = self.rng.choice([1, 2, 4, 8])
            k = self.rng.randrange(0, 8)
            self.emit("movl $%d, %s" % (k, reg(idx, 4)))
            self.rtaint[idx] = False
            return off, "%d(%%r15,%s,%d)" % (off - k * scale, reg(idx, 8), scale)
        return off, "%d(%%r15)" % off

    def imm(self, size, small=False):
        if small or self.rng.random() < 0.4:
            return self.rng.randrange(-128, 128)
        bits = min(size, 4) * 8
        return self.rng.randrange(-(1 << (bits - 1)), 1 << (bits - 1))

    def prefix_junk(self):
        # Segment overrides other than FS/GS are ignored in 64-bit mode.
        if self.rng.random() < 0.08:
            self.emit(".byte 0x%02x" % self.rng.choice([0x26, 0x2e, 0x36, 0x3e]))

    # ---- instruction generators ----
    def alu2(self):
        op = self.rng.choice(["add", "adc", "sub", "sbb", "and", "or",
                              "xor", "cmp", "test"])
        size = self.rng.choice([1, 2, 4, 8])
        sfx = SUFFIX[size]
        writes = op not in ("cmp", "test")
        und = AF if op in ("and", "or", "xor", "test") else 0
        reads_cf = CF if op in ("adc", "sbb") else 0
        form = self.rng.choice(["rr", "rr", "rm", "mr", "ir", "im"])
        if op == "test" and form == "rm":
            form = "mr"
        tin = bool(self.ftaint & reads_cf)
        self.prefix_junk()
        if form == "rr":
            high = size == 1 and self.rng.random() < 0.3
            if high:
                a, b = self.rng.choice([0, 1, 2, 3]), self.rng.choice([0, 1, 2, 3])
                ha, hb = self.rng.random() < 0.5, self.rng.random() < 0.5
            else:
                a, b = self.pick_reg(), self.pick_reg()
                ha = hb = False
            t = tin or self.rtaint[a] or self.rtaint[b]
            load = self.rng.choice(["", "{load} ", "{store} "]) if op != "test" else ""
            self.emit("%s%s%s %s, %s" % (load, op, sfx, reg(b, size, hb), reg(a, size, ha)))
            if writes:
                self.set_reg(a, size, t, ha)
        elif form in ("rm", "mr"):
            off, m = self.mem(size)
            r = self.pick_reg()
            t = tin or self.rtaint[r] or self.mem_tainted(off, size)
            if form == "rm":
                self.emit("%s%s %s, %s" % (op, sfx, m, reg(r, size)))
                if writes:
                    self.set_reg(r, size, t)
            else:
                self.emit("%s%s %s, %s" % (op, sfx, reg(r, size), m))
                if writes:
                    self.set_mem(off, size, t)
        elif form == "ir":
            r = self.pick_reg() if self.rng.random() < 0.7 else RAX
            t = tin or self.rtaint[r]
            self.emit("%s%s $%d, %s" % (op, sfx, self.imm(size), reg(r, size)))
            if writes:
                self.set_reg(r, size, t)
        else:
            off, m = self.mem(size)
            t = tin or self.mem_tainted(off, size)
            self.emit("%s%s $%d, %s" % (op, sfx, self.imm(size), m))
            if writes:
                self.set_mem(off, size, t)
        self.write_flags(ARITH, und, t)

    def alu1(self):
        op = self.rng.choice(["inc", "dec", "neg", "not"])
        size = self.rng.choice([1, 2, 4, 8])
        written = {"inc": ARITH & ~CF, "dec": ARITH & ~CF, "neg": ARITH, "not": 0}[op]
        if self.rng.random() < 0.7:
            high = size == 1 and self.rng.random() < 0.3
            r = self.rng.choice([0, 1, 2, 3]) if high else self.pick_reg()
            t = self.rtaint[r]
            self.emit("%s%s %s" % (op, SUFFIX[size], reg(r, size, high)))
            self.set_reg(r, size, t, high)
        else:
            off, m = self.mem(size)
            t = self.mem_tainted(off, size)
            self.emit("%s%s %s" % (op, SUFFIX[size], m))
            self.set_mem(off, size, t)
        self.write_flags(written, 0, t)

    def shift(self):
        op = self.rng.choice(["shl", "shr", "sar", "rol", "ror", "rcl", "rcr", "sal"])
        size = self.rng.choice([1, 2, 4, 8])
        bits = size * 8
        how = self.rng.choice(["one", "imm", "cl", "cl"])
        if how == "one":
            count, src = 1, "$1"
        elif how == "imm":
            count = self.rng.randrange(0, 64)
            src = "$%d" % count
        else:
            count = self.rng.randrange(0, 64)
            self.emit("movb $%d, %%cl" % count)
            self.rtaint[RCX] = self.rtaint[RCX]  # partial write: keeps taint
            src = "%cl"
        m = count & (63 if size == 8 else 31)
        reads = CF if op in ("rcl", "rcr") else 0
        if op in ("shl", "sal", "shr", "sar"):
            written, und = ARITH, AF | (OF if m != 1 else 0)
            if op != "sar" and m >= bits:
                und |= CF
        else:
            written, und = CF | OF, (OF if m > 1 else 0)
        if m == 0:
            written, und, reads = 0, 0, 0
        tin = bool(self.ftaint & reads)
        if self.rng.random() < 0.75:
            r = self.pick_reg(avoid=(RCX,) if how == "cl" else ())
            t = tin or self.rtaint[r]
            self.emit("%s%s %s, %s" % (op, SUFFIX[size], src, reg(r, size)))
            self.set_reg(r, size, t)
        else:
            off, mm = self.mem(size, avoid=(RCX,))
            t = tin or self.mem_tainted(off, size)
            self.emit("%s%s %s, %s" % (op, SUFFIX[size], src, mm))
            self.set_mem(off, size, t)
        self.write_flags(written, und, t)

    def shd(self):
        op = self.rng.choice(["shld", "shrd"])
        size = self.rng.choice([2, 4, 8])
        bits = size * 8
        count = self.rng.randrange(0, 64)
        m = count & (63 if size == 8 else 31)
        if self.rng.random() < 0.5:
            src = "$%d" % count
        else:
            self.emit("movb $%d, %%cl" % count)
            src = "%cl"
        s = self.pick_reg(avoid=(RCX,))
        undef_result = m > bits
        if m == 0:
            written, und = 0, 0
        elif undef_result:
            written, und = ARITH, ARITH
        else:
            written, und = ARITH, AF | (OF if m != 1 else 0)
        if self.rng.random() < 0.75:
            d = self.pick_reg(avoid=(RCX,))
            t = self.rtaint[d] or self.rtaint[s] or undef_result
            self.emit("%s %s, %s, %s" % (op, src, reg(s, size), reg(d, size)))
            self.set_reg(d, size, t)
        else:
            off, mm = self.mem(size, avoid=(RCX,))
            t = self.mem_tainted(off, size) or self.rtaint[s] or undef_result
            self.emit("%s%s %s, %s, %s" % (op, SUFFIX[size], src, reg(s, size), mm))
            self.set_mem(off, size, t)
        self.write_flags(written, und, t)

    def mul(self):
        size = self.rng.choice([1, 2, 4, 8])
        form = self.rng.choice(["one", "one", "two", "three"])
        if size == 1:
            form = "one"
        und = SF | ZF | AF | PF
        if form == "one":
            op = self.rng.choice(["mul", "imul"])
            if self.rng.random() < 0.7:
                r = self.pick_reg()
                t = self.rtaint[RAX] or self.rtaint[r]
                self.emit("%s%s %s" % (op, SUFFIX[size], reg(r, size)))
            else:
                off, m = self.mem(size)
                t = self.rtaint[RAX] or self.mem_tainted(off, size)
                self.emit("%s%s %s" % (op, SUFFIX[size], m))
            self.set_reg(RAX, size, t)
            if size > 1:
                self.set_reg(RDX, size, t)
        elif form == "two":
            d, s = self.pick_reg(), self.pick_reg()
            t = self.rtaint[d] or self.rtaint[s]
            self.emit("imul%s %s, %s" % (SUFFIX[size], reg(s, size), reg(d, size)))
            self.set_reg(d, size, t)
        else:
            d, s = self.pick_reg(), self.pick_reg()
            t = self.rtaint[s]
            self.emit("imul%s $%d, %s, %s" % (SUFFIX[size], self.imm(size), reg(s, size),
                                              reg(d, size)))
            self.set_reg(d, size, t)
        self.write_flags(ARITH, und, t)

    def div(self):
        size = self.rng.choice([1, 2, 4, 8])
        signed = self.rng.random() < 0.5
        bits = size * 8
        op = "idiv" if signed else "div"
        if signed:
            # A divisor other than 0 and -1 and a sign-extended dividend:
            # the quotient always fits, no #DE.
            dv = 0
            while dv in (0, -1):
                dv = self.rng.randrange(-(1 << (bits - 1)), 1 << (bits - 1))
        else:
            dv = self.rng.randrange(1, 1 << bits)
        dvm = dv & ((1 << bits) - 1)
        in_mem = self.rng.random() < 0.4
        if in_mem:
            off, m = self.mem(size, avoid=(RAX, RDX))
            if size == 8:
                self.emit("movl $%d, %d(%%r15)" % (dvm & 0xffffffff, off))
                self.emit("movl $%d, %d(%%r15)" % (dvm >> 32, off + 4))
            else:
                self.emit("mov%s $%d, %d(%%r15)" % (SUFFIX[size], dvm, off))
            self.set_mem(off, size, False)
            operand = m
        else:
            r = self.pick_reg(avoid=(RAX, RDX))
            if size == 8:
                self.emit("movabsq $%d, %s" % (dvm, reg(r, 8)))
            else:
                self.emit("mov%s $%d, %s" % (SUFFIX[size], dvm, reg(r, size)))
            self.set_reg(r, size, False)
            operand = reg(r, size)
        if signed:
            self.emit({1: "cbtw", 2: "cwtd", 4: "cltd", 8: "cqto"}[size])
            if size == 1:
                self.set_reg(RAX, 2, self.rtaint[RAX])
            else:
                self.set_reg(RDX, size, self.rtaint[RAX])
        else:
            # The high half below the divisor: the quotient fits.
            hi = self.rng.randrange(0, dvm)
            if size == 1:
                self.emit("movb $%d, %%ah" % hi)
            elif size == 8:
                self.emit("movabsq $%d, %%rdx" % hi)
                self.set_reg(RDX, 8, False)
            else:
                self.emit("mov%s $%d, %s" % (SUFFIX[size], hi, reg(RDX, size)))
                self.set_reg(RDX, size, False)
        self.emit("%s%s %s" % (op, SUFFIX[size], operand))
        t = self.rtaint[RAX] or self.rtaint[RDX]
        self.set_reg(RAX, size if size > 1 else 2, t)
        if size > 1:
            self.set_reg(RDX, size, t)
        self.write_flags(ARITH, ARITH, t)

    def bt(self):
        op = self.rng.choice(["bt", "bts", "btr", "btc"])
        size = self.rng.choice([2, 4, 8])
        und = OF | SF | AF | PF
        form = self.rng.choice(["rr", "ir", "im"])
        if form == "rr":
            d, s = self.pick_reg(), self.pick_reg()
            t = self.rtaint[d] or self.rtaint[s]
            self.emit("%s%s %s, %s" % (op, SUFFIX[size], reg(s, size), reg(d, size)))
            if op != "bt":
                self.set_reg(d, size, t)
        elif form == "ir":
            d = self.pick_reg()
            t = self.rtaint[d]
            self.emit("%s%s $%d, %s" % (op, SUFFIX[size], self.rng.randrange(0, 256),
                                        reg(d, size)))
            if op != "bt":
                self.set_reg(d, size, t)
        else:
            off, m = self.mem(size)
            t = self.mem_tainted(off, size)
            self.emit("%s%s $%d, %s" % (op, SUFFIX[size], self.rng.randrange(0, 256), m))
            if op != "bt":
                self.set_mem(off, size, t)
        self.write_flags(CF | und, und, t)

    def bsf(self):
        op = self.rng.choice(["bsf", "bsr"])
        size = self.rng.choice([2, 4, 8])
        d = self.pick_reg()
        if self.rng.random() < 0.7:
            s = self.pick_reg()
            t = self.rtaint[s]
            self.emit("%s%s %s, %s" % (op, SUFFIX[size], reg(s, size), reg(d, size)))
        else:
            off, m = self.mem(size)
            t = self.mem_tainted(off, size)
            self.emit("%s%s %s, %s" % (op, SUFFIX[size], m, reg(d, size)))
        # A zero source leaves the destination undefined: the generator
        # cannot know the value, so the destination is always tainted.
        self.rtaint[d] = True
        self.write_flags(ARITH, CF | OF | SF | AF | PF, t)

    def cc(self):
        cond = self.rng.choice(list(CONDS))
        t = bool(self.ftaint & CONDS[cond])
        kind = self.rng.choice(["set", "setm", "cmov", "cmovm"])
        if kind == "set":
            high = self.rng.random() < 0.3
            r = self.rng.choice([0, 1, 2, 3]) if high else self.pick_reg()
            self.emit("set%s %s" % (cond, reg(r, 1, high)))
            self.set_reg(r, 1, t, high)
        elif kind == "setm":
            off, m = self.mem(1)
            self.emit("set%s %s" % (cond, m))
            self.set_mem(off, 1, t)
        else:
            size = self.rng.choice([2, 4, 8])
            d = self.pick_reg()
            if kind == "cmov":
                s = self.pick_reg()
                tt = t or self.rtaint[s] or self.rtaint[d]
                self.emit("cmov%s %s, %s" % (cond, reg(s, size), reg(d, size)))
            else:
                off, m = self.mem(size)
                tt = t or self.mem_tainted(off, size) or self.rtaint[d]
                self.emit("cmov%s %s, %s" % (cond, m, reg(d, size)))
            self.set_reg(d, size, tt)

    def misc(self):
        k = self.rng.choice(["bswap", "xadd", "cmpxchg", "xchg", "mov", "movzx",
                             "movsx", "lea", "ext", "cf", "lahf", "sahf", "pushpop",
                             "movimm", "rex66"])
        size = self.rng.choice([1, 2, 4, 8])
        if k == "bswap":
            r = self.pick_reg()
            size = self.rng.choice([4, 8])
            self.emit("bswap %s" % reg(r, size))
            self.set_reg(r, size, self.rtaint[r])
        elif k in ("xadd", "cmpxchg"):
            s = self.pick_reg(avoid=(RAX,))
            if self.rng.random() < 0.6:
                d = self.pick_reg(avoid=(RAX,) if k == "cmpxchg" else ())
                t = self.rtaint[s] or self.rtaint[d] or (k == "cmpxchg" and self.rtaint[RAX])
                if k == "cmpxchg" and self.rng.random() < 0.5:
                    self.emit("mov%s %s, %s" % (SUFFIX[size], reg(RAX, size), reg(d, size)))
                    self.set_reg(d, size, self.rtaint[RAX])
                self.emit("%s%s %s, %s" % (k, SUFFIX[size], reg(s, size), reg(d, size)))
                self.set_reg(d, size, t)
            else:
                off, m = self.mem(size)
                t = self.rtaint[s] or self.mem_tainted(off, size) or self.rtaint[RAX]
                lock = "lock " if self.rng.random() < 0.3 else ""
                self.emit("%s%s%s %s, %s" % (lock, k, SUFFIX[size], reg(s, size), m))
                self.set_mem(off, size, t)
            if k == "xadd":
                self.set_reg(s, size, t)
            else:
                self.set_reg(RAX, size, t)
            self.write_flags(ARITH, 0, t)
        elif k == "xchg":
            a, b = self.pick_reg(), self.pick_reg()
            ta, tb = self.rtaint[a], self.rtaint[b]
            self.emit("xchg%s %s, %s" % (SUFFIX[size], reg(a, size), reg(b, size)))
            self.set_reg(a, size, tb)
            self.set_reg(b, size, ta)
        elif k == "mov":
            if self.rng.random() < 0.5:
                a, b = self.pick_reg(), self.pick_reg()
                self.emit("mov%s %s, %s" % (SUFFIX[size], reg(b, size), reg(a, size)))
                self.set_reg(a, size, self.rtaint[b])
            elif self.rng.random() < 0.5:
                off, m = self.mem(size)
                r = self.pick_reg()
                self.emit("mov%s %s, %s" % (SUFFIX[size], m, reg(r, size)))
                self.set_reg(r, size, self.mem_tainted(off, size))
            else:
                off, m = self.mem(size)
                r = self.pick_reg()
                self.emit("mov%s %s, %s" % (SUFFIX[size], reg(r, size), m))
                self.set_mem(off, size, self.rtaint[r])
        elif k in ("movzx", "movsx"):
            src = self.rng.choice([1, 2] + ([4] if k == "movsx" else []))
            dst = self.rng.choice([s for s in (2, 4, 8) if s > src])
            a, b = self.pick_reg(), self.pick_reg()
            mn = {("movzx", 1): "movzb", ("movzx", 2): "movzw", ("movsx", 1): "movsb",
                  ("movsx", 2): "movsw", ("movsx", 4): "movsl"}[(k, src)]
            self.emit("%s%s %s, %s" % (mn, SUFFIX[dst], reg(b, src), reg(a, dst)))
            self.set_reg(a, dst, self.rtaint[b])
        elif k == "lea":
            a, b, c = self.pick_reg(), self.pick_reg(), self.pick_reg()
            size = self.rng.choice([2, 4, 8])
            self.emit("lea%s %d(%s,%s,%d), %s" % (SUFFIX[size], self.imm(4), reg(b, 8),
                                                  reg(c, 8), self.rng.choice([1, 2, 4, 8]),
                                                  reg(a, size)))
            self.set_reg(a, size, self.rtaint[b] or self.rtaint[c])
        elif k == "ext":
            ins, w, rd = self.rng.choice([("cbtw", RAX, 2), ("cwtl", RAX, 4), ("cltq", RAX, 8),
                                          ("cwtd", RDX, 2), ("cltd", RDX, 4), ("cqto", RDX, 8)])
            self.emit(ins)
            self.set_reg(w, rd, self.rtaint[RAX])
        elif k == "cf":
            ins = self.rng.choice(["clc", "stc", "cmc"])
            self.emit(ins)
            t = ins == "cmc" and bool(self.ftaint & CF)
            self.write_flags(CF, 0, t)
        elif k == "lahf":
            self.emit("lahf")
            self.set_reg(RAX, 1, bool(self.ftaint & (SF | ZF | AF | PF | CF)), True)
        elif k == "sahf":
            self.emit("sahf")
            self.write_flags(SF | ZF | AF | PF | CF, 0, self.rtaint[RAX])
        elif k == "pushpop":
            a, b = self.pick_reg(), self.pick_reg()
            if self.rng.random() < 0.5:
                self.emit("pushq %s" % reg(a, 8))
                tb = self.rtaint[a]
            else:
                self.emit("pushq $%d" % self.imm(4))
                tb = False
            self.emit("popq %s" % reg(b, 8))
            self.rtaint[b] = tb
        elif k == "movimm":
            r = self.pick_reg()
            if size == 8:
                v = self.rng.getrandbits(64)
                self.emit("movabsq $%d, %s" % (v, reg(r, 8)))
            else:
                self.emit("mov%s $%d, %s" % (SUFFIX[size], self.imm(size), reg(r, size)))
            self.set_reg(r, size, False)
        else:
            # 66 with REX.W: REX.W wins, a 64-bit operation.
            a, b = self.pick_reg(), self.pick_reg()
            t = self.rtaint[a] or self.rtaint[b]
            self.emit(".byte 0x66")
            self.emit("addq %s, %s" % (reg(b, 8), reg(a, 8)))
            self.set_reg(a, 8, t)
            self.write_flags(ARITH, 0, t)

    def string(self):
        op = self.rng.choice(["movs", "stos", "lods", "cmps", "scas"])
        size = self.rng.choice([1, 2, 4, 8])
        rep = self.rng.choice(["", "rep "] if op in ("movs", "stos", "lods") else
                              ["", "repe ", "repne "])
        n = self.rng.randrange(0, 9) if rep else 1
        df = self.rng.random() < 0.3
        span = max(n, 1) * size
        # Both pointers stay inside the arena whichever way DF runs.
        lo, hi = (span - size, ARENA - size) if df else (0, ARENA - span)
        si, di = self.rng.randrange(lo, hi + 1), self.rng.randrange(lo, hi + 1)
        self.emit("leaq %d(%%r15), %%rsi" % si)
        self.emit("leaq %d(%%r15), %%rdi" % di)
        self.emit("movl $%d, %%ecx" % n)
        self.emit("std" if df else "cld")
        sfx = SUFFIX[size]
        self.emit("%s%s%s" % (rep, op, sfx))
        # Back to arena offsets (flags kept), DF clear again.
        self.emit("pushfq")
        self.emit("subq %r15, %rsi")
        self.emit("subq %r15, %rdi")
        self.emit("popfq")
        self.emit("cld")
        self.rtaint[RSI] = self.rtaint[RDI] = self.rtaint[RCX] = False
        step = -size if df else size
        src_range = (min(si, si + step * (n - 1)), span) if n else (si, 0)
        dst_range = (min(di, di + step * (n - 1)), span) if n else (di, 0)
        if op == "movs" and n:
            t = self.mem_tainted(*src_range)
            self.set_mem(dst_range[0], dst_range[1], t)
        elif op == "stos" and n:
            self.set_mem(dst_range[0], dst_range[1], self.rtaint[RAX])
        elif op == "lods" and n:
            self.set_reg(RAX, size, self.mem_tainted(*src_range))
        elif op in ("cmps", "scas"):
            t = (self.mem_tainted(*dst_range) if n else False) or \
                (op == "cmps" and n and self.mem_tainted(*src_range)) or \
                (op == "scas" and self.rtaint[RAX])
            if n:
                self.write_flags(ARITH, 0, bool(t))
            # How far a REPE/REPNE got depends on the data: the pointers
            # and count then depend on it too.
            if rep and t:
                self.rtaint[RSI] = self.rtaint[RDI] = self.rtaint[RCX] = True

    def sse(self):
        k = self.rng.choice(["int", "int", "int", "shift", "shuf", "mov", "gpr", "fp", "fp"])
        a, b = self.rng.randrange(8), self.rng.randrange(8)
        x = lambda n: "%%xmm%d" % n
        if k == "int":
            op = self.rng.choice(["pxor", "por", "pand", "pandn", "paddb", "paddw", "paddd",
                                  "paddq", "psubb", "psubw", "psubd", "psubq", "pcmpeqb",
                                  "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtd", "pminub",
                                  "pmaxub", "pminsw", "pmaxsw", "punpcklbw", "punpckhbw",
                                  "punpcklwd", "punpckhwd", "punpckldq", "punpckhdq",
                                  "punpcklqdq", "punpckhqdq", "pmullw", "pmulhw",
                                  "pmuludq", "psadbw", "packuswb", "packsswb", "pavgb",
                                  "paddusb", "psubsw"])
            if self.rng.random() < 0.3:
                off, m = self.mem(16, align=16)
                self.emit("%s %s, %s" % (op, m, x(a)))
                self.xtaint[a] = self.xtaint[a] or self.mem_tainted(off, 16)
            else:
                self.emit("%s %s, %s" % (op, x(b), x(a)))
                self.xtaint[a] = self.xtaint[a] or self.xtaint[b]
        elif k == "shift":
            op = self.rng.choice(["psrldq", "pslldq", "psllw", "pslld", "psllq", "psrlw",
                                  "psrld", "psrlq", "psraw", "psrad"])
            self.emit("%s $%d, %s" % (op, self.rng.randrange(0, 70), x(a)))
        elif k == "shuf":
            op = self.rng.choice(["pshufd", "pshuflw", "pshufhw"])
            self.emit("%s $%d, %s, %s" % (op, self.rng.randrange(256), x(b), x(a)))
            self.xtaint[a] = self.xtaint[b]
        elif k == "mov":
            if self.rng.random() < 0.5:
                off, m = self.mem(16)
                self.emit("movdqu %s, %s" % (m, x(a)))
                self.xtaint[a] = self.mem_tainted(off, 16)
            else:
                off, m = self.mem(16)
                self.emit("movdqu %s, %s" % (x(a), m))
                self.set_mem(off, 16, self.xtaint[a])
        elif k == "gpr":
            r = self.pick_reg()
            which = self.rng.choice(["movd_to", "movq_to", "movd_from", "movq_from",
                                     "pmovmskb", "pextrw", "pinsrw"])
            if which == "movd_to":
                self.emit("movd %s, %s" % (reg(r, 4), x(a)))
                self.xtaint[a] = self.rtaint[r]
            elif which == "movq_to":
                self.emit("movq %s, %s" % (reg(r, 8), x(a)))
                self.xtaint[a] = self.rtaint[r]
            elif which == "movd_from":
                self.emit("movd %s, %s" % (x(a), reg(r, 4)))
                self.set_reg(r, 4, self.xtaint[a])
            elif which == "movq_from":
                self.emit("movq %s, %s" % (x(a), reg(r, 8)))
                self.set_reg(r, 8, self.xtaint[a])
            elif which == "pmovmskb":
                self.emit("pmovmskb %s, %s" % (x(a), reg(r, 4)))
                self.set_reg(r, 4, self.xtaint[a])
            elif which == "pextrw":
                self.emit("pextrw $%d, %s, %s" % (self.rng.randrange(8), x(a), reg(r, 4)))
                self.set_reg(r, 4, self.xtaint[a])
            else:
                self.emit("pinsrw $%d, %s, %s" % (self.rng.randrange(8), reg(r, 4), x(a)))
                self.xtaint[a] = self.xtaint[a] or self.rtaint[r]
        else:
            op = self.rng.choice(["addsd", "subsd", "mulsd", "divsd", "sqrtsd", "minsd",
                                  "maxsd", "comisd", "ucomisd", "cvttsd2si", "cvtsi2sd",
                                  "addpd", "mulpd", "cvtsd2ss", "cvtss2sd", "addss",
                                  "mulss"])
            # MXCSR's exception flags depend on the operands too.
            if op == "cvttsd2si":
                r = self.pick_reg()
                size = self.rng.choice([4, 8])
                self.emit("cvttsd2si %s, %s" % (x(b), reg(r, size)))
                self.set_reg(r, size, self.xtaint[b])
                self.csrtaint = self.csrtaint or self.xtaint[b]
            elif op == "cvtsi2sd":
                r = self.pick_reg()
                size = self.rng.choice([4, 8])
                self.emit("cvtsi2sd%s %s, %s" % ("l" if size == 4 else "q", reg(r, size), x(a)))
                self.xtaint[a] = self.xtaint[a] or self.rtaint[r]
                self.csrtaint = self.csrtaint or self.rtaint[r]
            else:
                self.emit("%s %s, %s" % (op, x(b), x(a)))
                t = self.xtaint[a] or self.xtaint[b]
                self.csrtaint = self.csrtaint or t
                if op in ("comisd", "ucomisd"):
                    self.write_flags(ARITH, 0, t)
                else:
                    self.xtaint[a] = t

    def instruction(self):
        pick = self.rng.random()
        table = [(0.22, self.alu2), (0.30, self.alu1), (0.42, self.shift),
                 (0.47, self.shd), (0.54, self.mul), (0.58, self.div), (0.63, self.bt),
                 (0.66, self.bsf), (0.74, self.cc), (0.86, self.misc),
                 (0.90, self.string), (1.01, self.sse)]
        for limit, fn in table:
            if pick < limit:
                fn()
                return


def generate(seed, nseqs, length):
    rng = random.Random(seed)
    out = []
    w = out.append
    w("/* Generated by tests/cpu/gen/gen.py --seed %d --seqs %d --len %d. */" %
      (seed, nseqs, length))
    w("\t.section .rodata")
    w("\t.globl ct_name, gen_seed, gen_nseqs")
    w("ct_name:\n\t.asciz \"gen-%d\"" % seed)
    w("\t.balign 8")
    w("gen_seed:\n\t.quad %d" % seed)
    w("gen_nseqs:\n\t.long %d" % nseqs)
    rows = []
    for k in range(nseqs):
        s = Seq(rng)
        n = rng.randrange(max(1, length // 2), length + 1)
        for _ in range(n):
            s.instruction()
        flags = rng.choice([0, ARITH, rng.getrandbits(12) & ARITH]) | 2
        if rng.random() < 0.2:
            flags |= DF
        w("\t.text")
        w("\t.p2align 4")
        w("gen_seq_%d:" % k)
        for r in ("rbx", "rbp", "r12", "r13", "r14", "r15"):
            w("\tpushq %%%s" % r)
        w("\tleaq %d(%%rdi), %%r15" % (-DUMP_XMM))
        w("\tldmxcsr gen_mxcsr_default(%rip)")
        for i in range(8):
            w("\tmovdqu gen_xinit_%d+%d(%%rip), %%xmm%d" % (k, 16 * i, i))
        for n_ in USABLE:
            w("\tmovabsq $%d, %%%s" % (rng.getrandbits(64), R64[n_]))
        w("\tpushq $%d" % flags)
        w("\tpopfq")
        w("\n".join(s.lines))
        w("\tpushfq")
        w("\tpopq %d(%%r15)" % DUMP_FLAGS)
        for n_ in range(16):
            if n_ not in (4, 15):
                w("\tmovq %%%s, %d(%%r15)" % (R64[n_], DUMP_REGS + 8 * n_))
        for i in range(8):
            w("\tmovdqu %%xmm%d, %d(%%r15)" % (i, DUMP_XMM + 16 * i))
        w("\tstmxcsr %d(%%r15)" % DUMP_MXCSR)
        w("\tcld")
        for r in ("r15", "r14", "r13", "r12", "rbp", "rbx"):
            w("\tpopq %%%s" % r)
        w("\tret")
        w("\t.section .rodata")
        w("\t.balign 16")
        w("gen_xinit_%d:" % k)
        for i in range(8):
            w("\t.quad %d, %d" % (rng.getrandbits(64), rng.getrandbits(64)))
        rmask = sum(1 << i for i in range(16) if s.rtaint[i])
        xmask = sum(1 << i for i in range(8) if s.xtaint[i])
        mmask = sum(1 << i for i in range(ARENA // 8) if s.mtaint[i])
        rows.append((k, rmask | xmask << 16 | int(s.csrtaint) << 24, s.ftaint, mmask))
    w("\t.section .rodata")
    w("\t.balign 16")
    w("gen_mxcsr_default:\n\t.long 0x1f80")
    w("\t.balign 8")
    w("\t.globl gen_seqs")
    w("gen_seqs:")
    for k, rm, fm, mm in rows:
        w("\t.quad gen_seq_%d, %d, %d, %d" % (k, rm, fm, mm))
    w("\t.section .note.GNU-stack,\"\",@progbits")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--seqs", type=int, default=48)
    ap.add_argument("--len", type=int, default=24)
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    text = generate(a.seed, a.seqs, a.len)
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
