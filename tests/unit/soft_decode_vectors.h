/* Instruction lengths from an independent decoder: GNU objdump 2.40
 * (binutils) disassembling random bytes in 64-, 32- and 16-bit modes,
 * one or two instructions per mnemonic. Generated once; the soft CPU's
 * decoder must agree on every entry. Left out: VEX/EVEX/XOP encodings
 * (not offered), LOCK on instructions that do not allow it (#UD), and
 * 66-prefixed near branches in 64-bit mode (Intel ignores the prefix,
 * binutils follows AMD). */
struct decode_vector {
	unsigned mode;
	unsigned len;
	const char *bytes;
};

static const struct decode_vector decode_vectors[] = {
	{ 64, 1, "\xaa" }, /* stos %al,%es:(%rdi) */
	{ 64, 2, "\xb0\xaa" }, /* mov $0xaa,%al */
	{ 64, 2, "\xe7\x89" }, /* out %eax,$0x89 */
	{ 64, 3, "\x2e\x76\xc8" }, /* jbe,pn 0x514a */
	{ 64, 2, "\x76\x6e" }, /* jbe 0x6bb5 */
	{ 64, 1, "\xa4" }, /* movsb %ds:(%rsi),%es:(%rdi) */
	{ 64, 1, "\xd7" }, /* xlat %ds:(%rbx) */
	{ 64, 1, "\x9d" }, /* popf */
	{ 64, 6, "\x69\xd9\x96\xc7\x86\x56" }, /* imul $0x5686c796,%ecx,%ebx */
	{ 64, 3, "\xca\x77\x01" }, /* lret $0x177 */
	{ 64, 2, "\x74\xbb" }, /* je 0x1137 */
	{ 64, 5, "\x1d\x20\x3e\x39\xa1" }, /* sbb $0xa1393e20,%eax */
	{ 64, 2, "\xd0\xc4" }, /* rol %ah */
	{ 64, 9, "\xa2\x47\x40\xec\xb1\xdb\xd2\x24\xb7" }, /* movabs %al,0xb724d2dbb1ec4047 */
	{ 64, 2, "\x34\x09" }, /* xor $0x9,%al */
	{ 64, 2, "\x24\xd5" }, /* and $0xd5,%al */
	{ 64, 1, "\xed" }, /* in (%dx),%eax */
	{ 64, 4, "\xc1\x78\x5e\x58" }, /* sarl $0x58,0x5e(%rax) */
	{ 64, 2, "\xa8\x3f" }, /* test $0x3f,%al */
	{ 64, 1, "\x99" }, /* cltd */
	{ 64, 2, "\x6a\xdf" }, /* push $0xffffffffffffffdf */
	{ 64, 5, "\x2d\xd4\x44\x36\x97" }, /* sub $0x973644d4,%eax */
	{ 64, 2, "\xeb\xf9" }, /* jmp 0x473d */
	{ 64, 1, "\x92" }, /* xchg %eax,%edx */
	{ 64, 7, "\x12\xac\xf2\x69\x99\x9a\x66" }, /* adc 0x669a9969(%rdx,%rsi,8),%ch */
	{ 64, 5, "\x3d\x75\x32\x5c\x4d" }, /* cmp $0x4d5c3275,%eax */
	{ 64, 1, "\xc3" }, /* ret */
	{ 64, 1, "\xae" }, /* scas %es:(%rdi),%al */
	{ 64, 3, "\x67\x72\xad" }, /* addr32 jb 0xdb3c */
	{ 64, 1, "\x9e" }, /* sahf */
	{ 64, 1, "\xfa" }, /* cli */
	{ 64, 1, "\x5f" }, /* pop %rdi */
	{ 64, 3, "\xd8\x24\xa1" }, /* fsubs (%rcx,%riz,4) */
	{ 64, 2, "\x3e\xfa" }, /* ds cli */
	{ 64, 2, "\x73\x4a" }, /* jae 0x526b */
	{ 64, 1, "\xfd" }, /* std */
	{ 64, 2, "\x0b\xe8" }, /* or %eax,%ebp */
	{ 64, 5, "\x83\x4c\x5b\x0e\x72" }, /* orl $0x72,0xe(%rbx,%rbx,2) */
	{ 64, 5, "\x15\xbb\xaf\x25\x95" }, /* adc $0x9525afbb,%eax */
	{ 64, 1, "\xcf" }, /* iret */
	{ 64, 2, "\x7b\x47" }, /* jnp 0xb418 */
	{ 64, 4, "\x2e\x00\x73\x63" }, /* cs add %dh,0x63(%rbx) */
	{ 64, 1, "\xa6" }, /* cmpsb %es:(%rdi),%ds:(%rsi) */
	{ 64, 1, "\xf5" }, /* cmc */
	{ 64, 1, "\xfb" }, /* sti */
	{ 64, 2, "\x78\xd5" }, /* js 0x2813 */
	{ 64, 6, "\x8d\xa5\x0d\xcd\x86\x4a" }, /* lea 0x4a86cd0d(%rbp),%esp */
	{ 64, 2, "\xd2\x32" }, /* shlb %cl,(%rdx) */
	{ 64, 4, "\xf2\xc0\x37\x70" }, /* repnz shlb $0x70,(%rdi) */
	{ 64, 2, "\x63\x19" }, /* movsxd (%rcx),%ebx */
	{ 64, 6, "\xd3\x82\x80\x7e\x5b\xed" }, /* roll %cl,-0x12a48180(%rdx) */
	{ 64, 4, "\xd8\x54\xc8\x66" }, /* fcoms 0x66(%rax,%rcx,8) */
	{ 64, 1, "\x98" }, /* cwtl */
	{ 64, 1, "\x6e" }, /* outsb %ds:(%rsi),(%dx) */
	{ 64, 4, "\xc8\xcb\xfd\xf1" }, /* enter $0xfdcb,$0xf1 */
	{ 64, 2, "\x70\xe7" }, /* jo 0x8a4d */
	{ 64, 1, "\xc9" }, /* leave */
	{ 64, 1, "\x6c" }, /* insb (%dx),%es:(%rdi) */
	{ 64, 6, "\x81\x02\xca\x04\xb6\x52" }, /* addl $0x52b604ca,(%rdx) */
	{ 64, 3, "\x80\xc0\x12" }, /* add $0x12,%al */
	{ 64, 1, "\xf9" }, /* stc */
	{ 64, 3, "\xde\x6e\x4a" }, /* fisubrs 0x4a(%rsi) */
	{ 64, 1, "\xad" }, /* lods %ds:(%rsi),%eax */
	{ 64, 1, "\xa5" }, /* movsl %ds:(%rsi),%es:(%rdi) */
	{ 64, 2, "\x7f\x37" }, /* jg 0x27b1 */
	{ 64, 1, "\xfc" }, /* cld */
	{ 64, 6, "\xd8\x3d\xe4\x09\x2f\x54" }, /* fdivrs 0x542f09e4(%rip) # 0x542f0d3e */
	{ 64, 2, "\x7a\x78" }, /* jp 0xc9a7 */
	{ 64, 7, "\x36\x23\xb3\x9f\x60\x5a\xd5" }, /* ss and -0x2aa59f61(%rbx),%esi */
	{ 64, 1, "\xf1" }, /* int1 */
	{ 64, 1, "\xf8" }, /* clc */
	{ 64, 2, "\xe3\xf2" }, /* jrcxz 0xc7dc */
	{ 64, 9, "\x26\x83\x94\xb6\xa5\xf9\x9b\xe4\xff" }, /* es adcl $0xffffffff,-0x1b64065b(%rsi,%rsi,4) */
	{ 64, 3, "\x36\x3e\xc3" }, /* ss ds ret */
	{ 64, 2, "\x79\xa4" }, /* jns 0x8c64 */
	{ 64, 3, "\x64\x2c\x1f" }, /* fs sub $0x1f,%al */
	{ 64, 7, "\x00\x94\x47\x40\xe3\x00\xfb" }, /* add %dl,-0x4ff1cc0(%rdi,%rax,2) */
	{ 64, 4, "\xc1\x5d\x5b\x95" }, /* rcrl $0x95,0x5b(%rbp) */
	{ 64, 2, "\x7e\xd9" }, /* jle 0xe1b2 */
	{ 64, 2, "\xe1\x9e" }, /* loope 0xd147 */
	{ 64, 4, "\xc1\x68\xce\x67" }, /* shrl $0x67,-0x32(%rax) */
	{ 64, 1, "\x6f" }, /* outsl %ds:(%rsi),(%dx) */
	{ 64, 1, "\x9f" }, /* lahf */
	{ 64, 3, "\x80\x00\x1f" }, /* addb $0x1f,(%rax) */
	{ 64, 10, "\x69\x15\xe9\x69\x5c\x9a\x9d\x1e\x1d\x0a" }, /* imul $0xa1d1e9d,-0x65a39617(%rip),%edx # 0xf */
	{ 64, 7, "\xc1\xb2\xca\x62\x1f\x50\x95" }, /* shll $0x95,0x501f62ca(%rdx) */
	{ 64, 1, "\xcc" }, /* int3 */
	{ 64, 2, "\x72\xf1" }, /* jb 0x4c99 */
	{ 64, 3, "\xdd\x70\x07" }, /* fnsave 0x7(%rax) */
	{ 64, 2, "\x75\x70" }, /* jne 0xc380 */
	{ 64, 2, "\xd1\xfa" }, /* sar %edx */
	{ 64, 2, "\x77\x92" }, /* ja 0xbc0a */
	{ 64, 1, "\x9c" }, /* pushf */
	{ 64, 6, "\x65\xa9\x2a\x27\xc0\xf8" }, /* gs test $0xf8c0272a,%eax */
	{ 64, 4, "\xc1\x4d\xbf\xf7" }, /* rorl $0xf7,-0x41(%rbp) */
	{ 64, 1, "\x90" }, /* nop */
	{ 64, 1, "\xa7" }, /* cmpsl %es:(%rdi),%ds:(%rsi) */
	{ 64, 7, "\x87\xa4\xbd\xea\xe3\xfd\xed" }, /* xchg %esp,-0x12021c16(%rbp,%rdi,4) */
	{ 64, 2, "\xe2\xbb" }, /* loop 0x4788 */
	{ 64, 10, "\xf3\xa2\x78\x8a\xf8\xa3\xf7\xe5\xc6\x2e" }, /* repz movabs %al,0x2ec6e5f7a3f88a78 */
	{ 64, 2, "\x71\x7d" }, /* jno 0xd026 */
	{ 64, 4, "\xde\x4c\xa3\xeb" }, /* fimuls -0x15(%rbx,%riz,4) */
	{ 64, 2, "\xdb\xd6" }, /* fcmovnbe %st(6),%st */
	{ 64, 2, "\x26\x99" }, /* es cltd */
	{ 64, 6, "\xff\x9d\xa4\xbf\x4d\xd5" }, /* lcall *-0x2ab2405c(%rbp) */
	{ 64, 2, "\xd2\xf3" }, /* shl %cl,%bl */
	{ 64, 2, "\xd0\xe8" }, /* shr %al */
	{ 64, 6, "\xf7\xb3\xb7\xc6\x00\x49" }, /* divl 0x4900c6b7(%rbx) */
	{ 64, 2, "\xe0\x29" }, /* loopne 0xd434 */
	{ 64, 2, "\xdf\x31" }, /* fbstp (%rcx) */
	{ 64, 8, "\x4b\x63\xb4\x79\x6e\xa7\xf5\xa7" }, /* movslq -0x580a5892(%r9,%r15,2),%rsi */
	{ 64, 7, "\x41\x28\x93\x2c\xe4\xb4\xcc" }, /* sub %dl,-0x334b1bd4(%r11) */
	{ 64, 7, "\x0f\xbf\x3d\x02\x34\xd2\x7f" }, /* movswl 0x7fd23402(%rip),%edi # 0x7fd2ce66 */
	{ 64, 7, "\xf2\x19\x0d\xa7\xd2\x2d\x01" }, /* repnz sbb %ecx,0x12dd2a7(%rip) # 0x12e81dc */
	{ 64, 2, "\x7d\xfd" }, /* jge 0x4812 */
	{ 64, 6, "\xf7\xaa\x80\xbb\x6a\xec" }, /* imull -0x13954480(%rdx) */
	{ 64, 6, "\xff\x2d\xf2\xf8\xd0\x13" }, /* ljmp *0x13d0f8f2(%rip) # 0x13d14987 */
	{ 64, 3, "\xf7\x52\x5d" }, /* notl 0x5d(%rdx) */
	{ 64, 3, "\x83\x31\xa3" }, /* xorl $0xffffffa3,(%rcx) */
	{ 64, 3, "\xdb\x5d\x69" }, /* fistpl 0x69(%rbp) */
	{ 64, 6, "\xf7\xb8\x95\xe3\x34\x49" }, /* idivl 0x4934e395(%rax) */
	{ 64, 1, "\xf4" }, /* hlt */
	{ 64, 7, "\x08\xa4\x5d\xa1\xb1\xb3\x79" }, /* or %ah,0x79b3b1a1(%rbp,%rbx,2) */
	{ 64, 5, "\xe8\xab\x8e\x31\x13" }, /* call 0x1331cfd7 */
	{ 64, 7, "\xc0\x86\xc3\x38\x15\x58\x22" }, /* rolb $0x22,0x581538c3(%rsi) */
	{ 64, 1, "\x6d" }, /* insl (%dx),%es:(%rdi) */
	{ 64, 2, "\xf6\xf9" }, /* idiv %cl */
	{ 64, 2, "\xcd\xf2" }, /* int $0xf2 */
	{ 64, 11, "\x81\xbc\x2c\xe4\x63\x34\xf1\x38\x66\x3b\x74" }, /* cmpl $0x743b6638,-0xecb9c1c(%rsp,%rbp,1) */
	{ 64, 11, "\x48\x81\xb3\xf9\x17\x0d\x37\xab\x62\xd3\xa0" }, /* xorq $0xffffffffa0d362ab,0x370d17f9(%rbx) */
	{ 64, 6, "\xd9\x86\x06\x4c\xba\x6c" }, /* flds 0x6cba4c06(%rsi) */
	{ 64, 4, "\xdc\x54\x84\xb4" }, /* fcoml -0x4c(%rsp,%rax,4) */
	{ 64, 2, "\x7c\xdf" }, /* jl 0xa9fa */
	{ 64, 7, "\xc1\x8b\x9c\x56\x7f\x11\x8d" }, /* rorl $0x8d,0x117f569c(%rbx) */
	{ 64, 4, "\xc0\x49\xac\x3c" }, /* rorb $0x3c,-0x54(%rcx) */
	{ 64, 6, "\xd8\xaf\x85\x8c\x6a\x3e" }, /* fsubrs 0x3e6a8c85(%rdi) */
	{ 64, 2, "\xd0\xca" }, /* ror %dl */
	{ 64, 11, "\x67\xc7\x81\x14\x07\x5d\x58\x35\x62\x1d\xd9" }, /* movl $0xd91d6235,0x585d0714(%ecx) */
	{ 64, 6, "\xd8\x98\x5d\xef\x00\x23" }, /* fcomps 0x2300ef5d(%rax) */
	{ 64, 4, "\xf6\x4b\x83\x40" }, /* testb $0x40,-0x7d(%rbx) */
	{ 64, 8, "\x83\x9c\x98\x15\x91\x2e\x27\x36" }, /* sbbl $0x36,0x272e9115(%rax,%rbx,4) */
	{ 64, 3, "\xf3\x28\x11" }, /* repz sub %dl,(%rcx) */
	{ 64, 4, "\xc0\x5a\x6d\xbc" }, /* rcrb $0xbc,0x6d(%rdx) */
	{ 64, 4, "\x0f\x76\x72\xce" }, /* pcmpeqd -0x32(%rdx),%mm6 */
	{ 64, 6, "\xdc\xb9\xda\xbc\xfc\x74" }, /* fdivrl 0x74fcbcda(%rcx) */
	{ 64, 3, "\xf7\x59\xbc" }, /* negl -0x44(%rcx) */
	{ 64, 3, "\xd9\x24\xff" }, /* fldenv (%rdi,%rdi,8) */
	{ 64, 5, "\x64\x0f\xef\x55\x90" }, /* pxor %fs:-0x70(%rbp),%mm2 */
	{ 64, 7, "\x81\x48\xd5\x41\x06\xb9\x60" }, /* orl $0x60b90641,-0x2b(%rax) */
	{ 64, 6, "\xdb\x95\xb9\x57\x47\x20" }, /* fistl 0x204757b9(%rbp) */
	{ 64, 4, "\x80\x4e\xa1\x69" }, /* orb $0x69,-0x5f(%rsi) */
	{ 64, 7, "\x81\x69\xee\x9a\xf0\xd5\x72" }, /* subl $0x72d5f09a,-0x12(%rcx) */
	{ 64, 2, "\xdf\x1b" }, /* fistps (%rbx) */
	{ 64, 2, "\xd1\x21" }, /* shll (%rcx) */
	{ 64, 7, "\xf6\x24\xad\x56\x89\xff\xa3" }, /* mulb -0x5c0076aa(,%rbp,4) */
	{ 64, 7, "\x8c\x84\x8a\x67\xa6\x2e\xcf" }, /* mov %es,-0x30d15999(%rdx,%rcx,4) */
	{ 64, 6, "\xdc\x99\xa9\x52\xe6\xcb" }, /* fcompl -0x3419ad57(%rcx) */
	{ 64, 4, "\x83\x65\x62\x34" }, /* andl $0x34,0x62(%rbp) */
	{ 64, 6, "\x81\x18\x01\xa6\x15\xd7" }, /* sbbl $0xd715a601,(%rax) */
	{ 64, 3, "\x83\x12\xc6" }, /* adcl $0xffffffc6,(%rdx) */
	{ 64, 3, "\xda\x7a\x51" }, /* fidivrl 0x51(%rdx) */
	{ 64, 2, "\xde\xc0" }, /* faddp %st,%st(0) */
	{ 64, 6, "\xda\xaf\x51\x35\x28\x7e" }, /* fisubrl 0x7e283551(%rdi) */
	{ 64, 2, "\xf6\x1a" }, /* negb (%rdx) */
	{ 64, 7, "\x31\x9c\x8a\x09\xee\x59\x10" }, /* xor %ebx,0x1059ee09(%rdx,%rcx,4) */
	{ 64, 2, "\xd9\xf8" }, /* fprem */
	{ 64, 5, "\x80\x5c\x15\x78\x43" }, /* sbbb $0x43,0x78(%rbp,%rdx,1) */
	{ 64, 6, "\xdc\x85\x6b\x24\xf0\xa1" }, /* faddl -0x5e0fdb95(%rbp) */
	{ 64, 3, "\xd9\x6b\xaf" }, /* fldcw -0x51(%rbx) */
	{ 64, 7, "\x81\x40\xca\x4a\x6f\x8f\x87" }, /* addl $0x878f6f4a,-0x36(%rax) */
	{ 64, 2, "\xfe\xca" }, /* dec %dl */
	{ 64, 4, "\xc6\x04\xa8\x0f" }, /* movb $0xf,(%rax,%rbp,4) */
	{ 64, 7, "\xf6\x86\x36\x6d\xbb\x7b\x14" }, /* testb $0x14,0x7bbb6d36(%rsi) */
	{ 64, 2, "\xd3\xde" }, /* rcr %cl,%esi */
	{ 64, 3, "\x0f\xb9\xc1" }, /* ud1 %ecx,%eax */
	{ 64, 3, "\x66\x76\xf7" }, /* data16 jbe 0xb2b6 */
	{ 64, 8, "\x0f\x5a\xac\xf0\x78\xa5\x52\x8c" }, /* cvtps2pd -0x73ad5a88(%rax,%rsi,8),%xmm5 */
	{ 64, 3, "\xc0\x3a\x04" }, /* sarb $0x4,(%rdx) */
	{ 64, 2, "\xdd\xd5" }, /* fst %st(5) */
	{ 64, 3, "\xc1\xd5\x58" }, /* rcl $0x58,%ebp */
	{ 64, 7, "\x80\xbb\x0f\xbc\x52\xc3\xbc" }, /* cmpb $0xbc,-0x3cad43f1(%rbx) */
	{ 64, 3, "\x3e\x76\xab" }, /* jbe,pt 0x5524 */
	{ 64, 6, "\xdd\xba\xdb\x18\x44\x29" }, /* fnstsw 0x294418db(%rdx) */
	{ 64, 3, "\xd2\x56\x2d" }, /* rclb %cl,0x2d(%rsi) */
	{ 64, 2, "\xf7\xf0" }, /* div %eax */
	{ 64, 4, "\xdb\x44\x1a\x9f" }, /* fildl -0x61(%rdx,%rbx,1) */
	{ 64, 6, "\xdc\x35\xd7\x1b\x88\xbe" }, /* fdivl -0x4177e429(%rip) # 0xffffffffbe886b09 */
	{ 64, 3, "\x80\x10\x4b" }, /* adcb $0x4b,(%rax) */
	{ 64, 2, "\xdc\xc5" }, /* fadd %st,%st(5) */
	{ 64, 7, "\xd2\x9c\x7e\xac\xdf\xa6\x0a" }, /* rcrb %cl,0xaa6dfac(%rsi,%rdi,2) */
	{ 64, 8, "\x81\x64\x0e\xab\x68\xba\xa8\x80" }, /* andl $0x80a8ba68,-0x55(%rsi,%rcx,1) */
	{ 64, 7, "\x81\x71\xe8\x3f\x4a\xd7\x5e" }, /* xorl $0x5ed74a3f,-0x18(%rcx) */
	{ 64, 2, "\x48\xa7" }, /* cmpsq %es:(%rdi),%ds:(%rsi) */
	{ 64, 7, "\x2e\x30\xba\x34\x6f\xab\xcd" }, /* cs xor %bh,-0x325490cc(%rdx) */
	{ 64, 2, "\xdf\x06" }, /* filds (%rsi) */
	{ 64, 7, "\x0f\xe8\xb3\x0d\xb5\xc8\xec" }, /* psubsb -0x13374af3(%rbx),%mm6 */
	{ 64, 7, "\x0f\xbd\x3d\x34\xc8\xf8\x4e" }, /* bsr 0x4ef8c834(%rip),%edi # 0x4ef96817 */
	{ 64, 2, "\xf7\xd8" }, /* neg %eax */
	{ 64, 2, "\xf6\x26" }, /* mulb (%rsi) */
	{ 64, 7, "\x3a\x24\xe5\xd6\xd0\xdd\xff" }, /* cmp -0x222f2a(,%riz,8),%ah */
	{ 64, 3, "\xd8\x76\x1a" }, /* fdivs 0x1a(%rsi) */
	{ 64, 4, "\xc0\x43\xa9\x6e" }, /* rolb $0x6e,-0x57(%rbx) */
	{ 64, 6, "\xdc\xae\x70\x3a\x25\x69" }, /* fsubrl 0x69253a70(%rsi) */
	{ 64, 3, "\xda\x4b\x84" }, /* fimull -0x7c(%rbx) */
	{ 64, 2, "\xf3\x90" }, /* pause */
	{ 64, 4, "\xdf\x54\xfa\x78" }, /* fists 0x78(%rdx,%rdi,8) */
	{ 64, 4, "\x0f\xe5\x6b\x8d" }, /* pmulhw -0x73(%rbx),%mm5 */
	{ 64, 6, "\xd9\x9a\x00\x8f\xfb\x88" }, /* fstps -0x77047100(%rdx) */
	{ 64, 3, "\xde\x43\x70" }, /* fiadds 0x70(%rbx) */
	{ 64, 4, "\xc0\x6a\xf2\xd3" }, /* shrb $0xd3,-0xe(%rdx) */
	{ 64, 6, "\xff\x83\x7b\x3a\x99\x98" }, /* incl -0x6766c585(%rbx) */
	{ 64, 3, "\xde\x70\x28" }, /* fidivs 0x28(%rax) */
	{ 64, 2, "\x0f\x09" }, /* wbinvd */
	{ 64, 3, "\xde\x52\x46" }, /* ficoms 0x46(%rdx) */
	{ 64, 3, "\xda\x5d\x73" }, /* ficompl 0x73(%rbp) */
	{ 64, 2, "\xdf\xf2" }, /* fcomip %st(2),%st */
	{ 64, 6, "\xd3\x96\x30\x6a\xa5\xc4" }, /* rcll %cl,-0x3b5a95d0(%rsi) */
	{ 64, 7, "\xff\x9c\xc7\x82\x1f\x82\x8a" }, /* lcall *-0x757de07e(%rdi,%rax,8) */
	{ 64, 6, "\xc7\x06\x62\x07\x42\x83" }, /* movl $0x83420762,(%rsi) */
	{ 64, 2, "\xdb\xdd" }, /* fcmovnu %st(5),%st */
	{ 64, 10, "\xf7\x05\xf3\x96\x4d\xcf\xb2\xb0\xbb\xa9" }, /* testl $0xa9bbb0b2,-0x30b2690d(%rip) # 0xffff */
	{ 64, 2, "\xdd\x17" }, /* fstl (%rdi) */
	{ 64, 2, "\xdc\xc9" }, /* fmul %st,%st(1) */
	{ 64, 6, "\xd8\x8e\x70\xac\xd9\x0f" }, /* fmuls 0xfd9ac70(%rsi) */
	{ 64, 7, "\xc0\xbe\x3d\xf1\xf2\x4b\x27" }, /* sarb $0x27,0x4bf2f13d(%rsi) */
	{ 64, 3, "\xf2\x73\x25" }, /* bnd jae 0x2fdd */
	{ 64, 2, "\x66\x6d" }, /* insw (%dx),%es:(%rdi) */
	{ 64, 2, "\xf6\x33" }, /* divb (%rbx) */
	{ 64, 7, "\xd9\x84\xb9\xbd\xd1\xd8\xb7" }, /* flds -0x48272e43(%rcx,%rdi,4) */
	{ 64, 3, "\xdf\x7a\x4d" }, /* fistpll 0x4d(%rdx) */
	{ 64, 4, "\x83\x7b\x41\x53" }, /* cmpl $0x53,0x41(%rbx) */
	{ 64, 2, "\xd9\xe0" }, /* fchs */
	{ 64, 3, "\xde\x1c\x49" }, /* ficomps (%rcx,%rcx,2) */
	{ 64, 7, "\x1b\x94\xcc\x1c\x0b\x82\x75" }, /* sbb 0x75820b1c(%rsp,%rcx,8),%edx */
	{ 64, 7, "\xde\xbc\x29\xa1\xb8\x2e\x5c" }, /* fidivrs 0x5c2eb8a1(%rcx,%rbp,1) */
	{ 64, 2, "\xde\x22" }, /* fisubs (%rdx) */
	{ 64, 4, "\x0f\x4f\x4f\x3d" }, /* cmovg 0x3d(%rdi),%ecx */
	{ 64, 6, "\xfe\x87\x1f\x66\xb3\x65" }, /* incb 0x65b3661f(%rdi) */
	{ 64, 3, "\xda\x04\x7c" }, /* fiaddl (%rsp,%rdi,2) */
	{ 64, 6, "\xdd\x9a\xbf\x76\x05\xe4" }, /* fstpl -0x1bfa8941(%rdx) */
	{ 64, 2, "\xdd\x00" }, /* fldl (%rax) */
	{ 64, 2, "\xf7\xd2" }, /* not %edx */
	{ 64, 2, "\xd9\x3b" }, /* fnstcw (%rbx) */
	{ 64, 2, "\xdd\x0e" }, /* fisttpll (%rsi) */
	{ 64, 3, "\xff\x0c\x14" }, /* decl (%rsp,%rdx,1) */
	{ 64, 2, "\xd8\xd1" }, /* fcom %st(1) */
	{ 64, 2, "\xda\x31" }, /* fidivl (%rcx) */
	{ 64, 7, "\x80\xa2\x86\x6e\xe4\x39\x59" }, /* andb $0x59,0x39e46e86(%rdx) */
	{ 64, 4, "\x0f\xec\x42\xc3" }, /* paddsb -0x3d(%rdx),%mm0 */
	{ 64, 7, "\x65\xff\xb2\x92\x31\xab\x06" }, /* push %gs:0x6ab3192(%rdx) */
	{ 64, 6, "\xf7\x06\x23\x8b\x7c\x8f" }, /* testl $0x8f7c8b23,(%rsi) */
	{ 64, 2, "\xf3\xa5" }, /* rep movsl %ds:(%rsi),%es:(%rdi) */
	{ 64, 7, "\x0f\x59\xbd\x71\x79\x9c\x82" }, /* mulps -0x7d63868f(%rbp),%xmm7 */
	{ 64, 6, "\xd9\x93\x54\x6a\x25\x59" }, /* fsts 0x59256a54(%rbx) */
	{ 64, 2, "\xda\xc9" }, /* fcmove %st(1),%st */
	{ 64, 2, "\xd8\xf7" }, /* fdiv %st(7),%st */
	{ 64, 2, "\xd9\xe4" }, /* ftst */
	{ 64, 2, "\xd9\xe5" }, /* fxam */
	{ 64, 6, "\xdb\x8d\x88\xd9\x10\x6b" }, /* fisttpl 0x6b10d988(%rbp) */
	{ 64, 6, "\xd9\xb3\xc1\xa5\x0d\x25" }, /* fnstenv 0x250da5c1(%rbx) */
	{ 64, 2, "\xdb\xc9" }, /* fcmovne %st(1),%st */
	{ 64, 7, "\xc1\xb9\x66\xb4\x3c\xc3\x41" }, /* sarl $0x41,-0x3cc34b9a(%rcx) */
	{ 64, 6, "\xf7\xa3\x1f\x95\xef\x4f" }, /* mull 0x4fef951f(%rbx) */
	{ 64, 6, "\xfe\x8e\x6a\x6b\x46\xe6" }, /* decb -0x19b99496(%rsi) */
	{ 64, 3, "\xdc\x60\xeb" }, /* fsubl -0x15(%rax) */
	{ 64, 7, "\xc1\x82\x6f\xb6\x1c\xe4\xf1" }, /* roll $0xf1,-0x1be34991(%rdx) */
	{ 64, 7, "\xc6\x80\xbb\xf1\x82\x52\xca" }, /* movb $0xca,0x5282f1bb(%rax) */
	{ 64, 8, "\x3e\x22\xac\x72\xf7\xf5\xd3\x18" }, /* ds and 0x18d3f5f7(%rdx,%rsi,2),%ch */
	{ 64, 3, "\xdc\x4d\x0f" }, /* fmull 0xf(%rbp) */
	{ 64, 8, "\x80\x8c\xe4\xdb\x92\x0d\xa6\x09" }, /* orb $0x9,-0x59f26d25(%rsp,%riz,8) */
	{ 64, 7, "\xda\x14\x5d\x20\x6f\x90\x38" }, /* ficoml 0x38906f20(,%rbx,2) */
	{ 64, 7, "\x0f\x48\xba\xdf\x95\x44\x0d" }, /* cmovs 0xd4495df(%rdx),%edi */
	{ 64, 7, "\xd2\x8c\xe5\xfa\x0d\x5d\x6e" }, /* rorb %cl,0x6e5d0dfa(%rbp,%riz,8) */
	{ 64, 2, "\xda\xd5" }, /* fcmovbe %st(5),%st */
	{ 64, 3, "\xf6\x7e\x15" }, /* idivb 0x15(%rsi) */
	{ 64, 2, "\xdd\xc7" }, /* ffree %st(7) */
	{ 64, 6, "\xd8\x82\x5e\x5e\xa3\xa4" }, /* fadds -0x5b5ca1a2(%rdx) */
	{ 64, 3, "\x3e\x7c\xa8" }, /* jl,pt 0x24cf */
	{ 64, 3, "\xdf\x68\x07" }, /* fildll 0x7(%rax) */
	{ 64, 2, "\xdb\xe0" }, /* fneni(8087 only) */
	{ 64, 7, "\xde\x34\xed\xc8\x99\x56\xa9" }, /* fidivs -0x56a96638(,%rbp,8) */
	{ 64, 2, "\xd9\xcf" }, /* fxch %st(7) */
	{ 64, 6, "\xf6\x90\xdd\x76\x9b\xc8" }, /* notb -0x37648923(%rax) */
	{ 64, 3, "\x2e\x7a\x7f" }, /* jp,pn 0xd543 */
	{ 64, 7, "\x21\xa4\x63\x53\x34\x30\xcc" }, /* and %esp,-0x33cfcbad(%rbx,%riz,2) */
	{ 64, 2, "\x48\x98" }, /* cltq */
	{ 64, 4, "\x80\x6a\x3c\x24" }, /* subb $0x24,0x3c(%rdx) */
	{ 64, 7, "\x80\xb2\x7c\xc3\xae\x2a\x79" }, /* xorb $0x79,0x2aaec37c(%rdx) */
	{ 64, 3, "\x2e\x77\x37" }, /* ja,pn 0x9581 */
	{ 64, 7, "\xd9\xb4\x79\x4d\xdd\x36\xc2" }, /* fnstenv -0x3dc922b3(%rcx,%rdi,2) */
	{ 64, 7, "\xf7\x94\x5a\xe5\xf5\x7e\x49" }, /* notl 0x497ef5e5(%rdx,%rbx,2) */
	{ 64, 7, "\x2e\x0f\x8e\xf7\xbf\x61\xa4" }, /* jle,pn 0xffffffffa46252b6 */
	{ 64, 2, "\x66\x6f" }, /* outsw %ds:(%rsi),(%dx) */
	{ 64, 3, "\x66\x6a\xd2" }, /* pushw $0xffd2 */
	{ 64, 2, "\xfe\xc6" }, /* inc %dh */
	{ 64, 2, "\xd9\xfe" }, /* fsin */
	{ 64, 3, "\x83\x2b\x5a" }, /* subl $0x5a,(%rbx) */
	{ 64, 3, "\xdf\x0c\xf7" }, /* fisttps (%rdi,%rsi,8) */
	{ 64, 7, "\xd0\xac\x5f\x6b\x40\x46\x3e" }, /* shrb 0x3e46406b(%rdi,%rbx,2) */
	{ 64, 2, "\x0f\x35" }, /* sysexitl */
	{ 64, 6, "\xdf\xa7\xd0\x2d\xb9\xa4" }, /* fbld -0x5b46d230(%rdi) */
	{ 64, 7, "\xc0\xb6\x1c\x71\x55\xe4\x24" }, /* shlb $0x24,-0x1baa8ee4(%rsi) */
	{ 64, 2, "\x48\xcb" }, /* lretq */
	{ 64, 7, "\x0f\xd9\x96\x04\xa9\xab\x20" }, /* psubusw 0x20aba904(%rsi),%mm2 */
	{ 64, 4, "\xda\x64\x26\x95" }, /* fisubl -0x6b(%rsi,%riz,1) */
	{ 64, 7, "\x0f\xb4\x9d\x31\xaa\xc3\xd5" }, /* lfs -0x2a3c55cf(%rbp),%ebx */
	{ 64, 2, "\xdb\xe2" }, /* fnclex */
	{ 64, 2, "\xde\xcf" }, /* fmulp %st,%st(7) */
	{ 64, 2, "\xde\xec" }, /* fsubrp %st,%st(4) */
	{ 64, 8, "\x67\xd8\xbc\xde\x07\x2d\xe5\x8b" }, /* fdivrs -0x741ad2f9(%esi,%ebx,8) */
	{ 64, 11, "\x48\x81\x83\x91\xac\x20\xb1\x27\x44\xa3\x16" }, /* addq $0x16a34427,-0x4edf536f(%rbx) */
	{ 64, 3, "\x0f\x9f\xc6" }, /* setg %dh */
	{ 64, 7, "\x64\x8d\xb9\x14\x5d\x9f\xd5" }, /* lea %fs:-0x2a60a2ec(%rcx),%edi */
	{ 64, 6, "\xda\x97\x1c\xbe\x88\xc9" }, /* ficoml -0x367741e4(%rdi) */
	{ 64, 3, "\x0f\xbd\xfe" }, /* bsr %esi,%edi */
	{ 64, 5, "\x0f\x9d\x6c\x68\x44" }, /* setge 0x44(%rax,%rbp,2) */
	{ 64, 6, "\xdd\x25\xfd\xca\x4f\x39" }, /* frstor 0x394fcafd(%rip) # 0x3950a255 */
	{ 64, 2, "\x48\xa5" }, /* movsq %ds:(%rsi),%es:(%rdi) */
	{ 64, 7, "\x0f\xab\xb5\x5f\x0a\x2f\x2f" }, /* bts %esi,0x2f2f0a5f(%rbp) */
	{ 64, 7, "\x0f\xda\x8e\x4d\x36\x29\x3a" }, /* pminub 0x3a29364d(%rsi),%mm1 */
	{ 64, 7, "\x63\x84\x43\xde\x3a\xeb\xf4" }, /* movsxd -0xb14c522(%rbx,%rax,2),%eax */
	{ 64, 7, "\x64\x8f\x82\xd8\xd6\xa1\x1a" }, /* pop %fs:0x1aa1d6d8(%rdx) */
	{ 64, 4, "\x80\x76\xf9\xb4" }, /* xorb $0xb4,-0x7(%rsi) */
	{ 64, 10, "\x81\x97\xa9\x40\xba\xd2\x78\x8a\x6e\xe0" }, /* adcl $0xe06e8a78,-0x2d45bf57(%rdi) */
	{ 64, 7, "\x64\xda\xb2\x55\x1c\xce\xf4" }, /* fidivl %fs:-0xb31e3ab(%rdx) */
	{ 64, 7, "\xc1\xad\x46\x5d\x62\x9a\x24" }, /* shrl $0x24,-0x659da2ba(%rbp) */
	{ 64, 7, "\xdc\x3c\x05\x97\xca\x52\xa6" }, /* fdivrl -0x59ad3569(,%rax,1) */
	{ 64, 3, "\xdb\x6d\x0a" }, /* fldt 0xa(%rbp) */
	{ 64, 2, "\x66\x9c" }, /* pushfw */
	{ 64, 2, "\x0f\xaa" }, /* rsm */
	{ 64, 2, "\xd8\xeb" }, /* fsubr %st(3),%st */
	{ 64, 4, "\x65\x0f\x1b\x1e" }, /* bndstx %bnd3,%gs:(%rsi) */
	{ 64, 2, "\xdb\x39" }, /* fstpt (%rcx) */
	{ 64, 3, "\xf6\x6f\xc2" }, /* imulb -0x3e(%rdi) */
	{ 64, 7, "\x0f\xf4\x80\xde\x54\xaa\xf9" }, /* pmuludq -0x655ab22(%rax),%mm0 */
	{ 64, 4, "\x0f\x45\x6b\x38" }, /* cmovne 0x38(%rbx),%ebp */
	{ 64, 7, "\xdf\x1c\xf5\x6e\x0b\x17\x56" }, /* fistps 0x56170b6e(,%rsi,8) */
	{ 64, 7, "\xdb\x8c\xca\x73\xa9\xa6\x56" }, /* fisttpl 0x56a6a973(%rdx,%rcx,8) */
	{ 64, 4, "\x80\x7e\xb0\x9d" }, /* cmpb $0x9d,-0x50(%rsi) */
	{ 64, 2, "\xdd\xdf" }, /* fstp %st(7) */
	{ 64, 3, "\x48\x63\xea" }, /* movslq %edx,%rbp */
	{ 64, 2, "\xd8\xdb" }, /* fcomp %st(3) */
	{ 64, 8, "\xc1\x94\x55\x38\x8a\x42\x7b\x04" }, /* rcll $0x4,0x7b428a38(%rbp,%rdx,2) */
	{ 64, 3, "\x2e\x71\xcf" }, /* jno,pn 0x9751 */
	{ 64, 7, "\xc0\x90\x8f\x58\x58\x9a\xf4" }, /* rclb $0xf4,-0x65a7a771(%rax) */
	{ 64, 5, "\x0f\xfc\x44\x13\x28" }, /* paddb 0x28(%rbx,%rdx,1),%mm0 */
	{ 64, 2, "\xd9\xf6" }, /* fdecstp */
	{ 64, 3, "\x3e\x72\xac" }, /* jb,pt 0x24fb */
	{ 64, 7, "\xf7\x9c\x35\x8c\xc2\xef\x5e" }, /* negl 0x5eefc28c(%rbp,%rsi,1) */
	{ 64, 7, "\x80\x91\x3e\x2c\x49\x21\xfc" }, /* adcb $0xfc,0x21492c3e(%rcx) */
	{ 64, 2, "\xf6\xe1" }, /* mul %cl */
	{ 64, 2, "\x0f\x30" }, /* wrmsr */
	{ 64, 8, "\x0f\xde\x24\xc5\xf8\xc6\x80\x80" }, /* pmaxub -0x7f7f3908(,%rax,8),%mm4 */
	{ 64, 2, "\xdc\xe0" }, /* fsub %st,%st(0) */
	{ 64, 2, "\xdb\xeb" }, /* fucomi %st(3),%st */
	{ 64, 2, "\xdb\xf1" }, /* fcomi %st(1),%st */
	{ 64, 6, "\x66\x81\x65\x9a\x36\xe1" }, /* andw $0xe136,-0x66(%rbp) */
	{ 64, 7, "\x0f\xe7\xb1\x63\x9a\xea\xed" }, /* movntq %mm6,-0x1215659d(%rcx) */
	{ 64, 2, "\xdc\xf9" }, /* fdivr %st,%st(1) */
	{ 64, 7, "\x84\xac\x24\xe5\xa8\x58\xf1" }, /* test %ch,-0xea7571b(%rsp) */
	{ 64, 3, "\x2e\x75\x1d" }, /* jne,pn 0x5b84 */
	{ 64, 2, "\xde\xd9" }, /* fcompp */
	{ 64, 4, "\x0f\xd4\x56\x53" }, /* paddq 0x53(%rsi),%mm2 */
	{ 64, 7, "\x80\xad\x2b\xf4\xb1\x23\xfc" }, /* subb $0xfc,0x23b1f42b(%rbp) */
	{ 64, 7, "\x0f\xdc\xaf\x6e\x57\x05\x29" }, /* paddusb 0x2905576e(%rdi),%mm5 */
	{ 64, 2, "\xde\xf9" }, /* fdivrp %st,%st(1) */
	{ 64, 2, "\x0f\x37" }, /* getsec */
	{ 64, 2, "\xdb\xe4" }, /* fnsetpm(287 only) */
	{ 64, 2, "\xdd\xe4" }, /* fucom %st(4) */
	{ 64, 2, "\xde\xf4" }, /* fdivp %st,%st(4) */
	{ 64, 3, "\x0f\x51\xf7" }, /* sqrtps %xmm7,%xmm6 */
	{ 64, 2, "\xda\xda" }, /* fcmovu %st(2),%st */
	{ 64, 8, "\x0f\xea\x9c\xcc\x2d\xf5\x9b\xd6" }, /* pminsw -0x29640ad3(%rsp,%rcx,8),%mm3 */
	{ 64, 2, "\xd9\xff" }, /* fcos */
	{ 64, 4, "\x66\xc1\x3e\x4c" }, /* sarw $0x4c,(%rsi) */
	{ 64, 7, "\xc1\x9d\xe0\xfc\x71\x25\xf2" }, /* rcrl $0xf2,0x2571fce0(%rbp) */
	{ 64, 2, "\xdb\xc1" }, /* fcmovnb %st(1),%st */
	{ 64, 2, "\xd9\xeb" }, /* fldpi */
	{ 64, 4, "\x48\x0f\xc1\xc4" }, /* xadd %rax,%rsp */
	{ 64, 3, "\x0f\xe0\x29" }, /* pavgb (%rcx),%mm5 */
	{ 64, 4, "\x0f\x11\x5b\xfd" }, /* movups %xmm3,-0x3(%rbx) */
	{ 64, 2, "\xda\xc0" }, /* fcmovb %st(0),%st */
	{ 64, 3, "\x0f\x03\xe0" }, /* lsl %eax,%esp */
	{ 64, 4, "\x0f\xc4\xec\x65" }, /* pinsrw $0x65,%esp,%mm5 */
	{ 64, 2, "\xdf\xc0" }, /* ffreep %st(0) */
	{ 64, 2, "\x0f\x06" }, /* clts */
	{ 64, 7, "\x64\xde\xa5\xcc\x42\xdf\xb2" }, /* fisubs %fs:-0x4d20bd34(%rbp) */
	{ 64, 7, "\xf7\xb4\xe6\x0c\x4e\x05\x55" }, /* divl 0x55054e0c(%rsi,%riz,8) */
	{ 64, 3, "\x2e\x7e\x59" }, /* jle,pn 0x637d */
	{ 64, 9, "\x4a\x81\x5c\xde\x57\x77\x46\x2e\xa6" }, /* sbbq $0xffffffffa62e4677,0x57(%rsi,%r11,8) */
	{ 64, 7, "\xff\x24\xed\xe3\x77\x50\x7b" }, /* jmp *0x7b5077e3(,%rbp,8) */
	{ 64, 2, "\x0f\xcb" }, /* bswap %ebx */
	{ 64, 3, "\x0f\x90\xd8" }, /* seto %al */
	{ 64, 2, "\xdf\xed" }, /* fucomip %st(5),%st */
	{ 64, 3, "\x80\x22\x94" }, /* andb $0x94,(%rdx) */
	{ 64, 7, "\x41\xf7\xa9\x61\xaf\x9e\x3b" }, /* imull 0x3b9eaf61(%r9) */
	{ 64, 3, "\xde\x7a\x05" }, /* fidivrs 0x5(%rdx) */
	{ 64, 4, "\x0f\x55\x40\x21" }, /* andnps 0x21(%rax),%xmm0 */
	{ 64, 2, "\xd9\xee" }, /* fldz */
	{ 64, 4, "\x0f\xc6\xdc\xfe" }, /* shufps $0xfe,%xmm4,%xmm3 */
	{ 64, 3, "\x2e\xe3\x87" }, /* jrcxz,pn 0x75ff */
	{ 64, 4, "\x0f\x13\x72\x6b" }, /* movlps %xmm6,0x6b(%rdx) */
	{ 64, 4, "\x0f\xf1\x41\x92" }, /* psllw -0x6e(%rcx),%mm0 */
	{ 64, 7, "\xda\xbc\x38\x34\x6f\xdb\x2c" }, /* fidivrl 0x2cdb6f34(%rax,%rdi,1) */
	{ 64, 3, "\x0f\xdc\x33" }, /* paddusb (%rbx),%mm6 */
	{ 64, 7, "\x0f\x1c\x9e\x5d\x14\xf0\xac" }, /* nopl -0x530feba3(%rsi) */
	{ 64, 4, "\x0f\xea\x55\x28" }, /* pminsw 0x28(%rbp),%mm2 */
	{ 64, 2, "\xde\xe4" }, /* fsubp %st,%st(4) */
	{ 64, 2, "\xd9\xfa" }, /* fsqrt */
	{ 64, 7, "\x0f\x49\x0d\x03\x92\x3b\x73" }, /* cmovns 0x733b9203(%rip),%ecx # 0x733c0458 */
	{ 64, 7, "\x0f\x2c\xa3\x4f\xe0\x5c\x13" }, /* cvttps2pi 0x135ce04f(%rbx),%mm4 */
	{ 64, 7, "\xda\x1c\xad\x00\x18\x97\x61" }, /* ficompl 0x61971800(,%rbp,4) */
	{ 64, 3, "\x2e\xe0\x6f" }, /* loopne,pn 0x16a2 */
	{ 64, 4, "\x0f\x93\x69\x85" }, /* setae -0x7b(%rcx) */
	{ 64, 7, "\x0f\x53\x82\xb2\x0a\xed\x4f" }, /* rcpps 0x4fed0ab2(%rdx),%xmm0 */
	{ 64, 7, "\x0f\x6e\xbd\xbf\xd3\x1a\x46" }, /* movd 0x461ad3bf(%rbp),%mm7 */
	{ 64, 7, "\xd9\x94\xdb\x16\x9c\x40\x1a" }, /* fsts 0x1a409c16(%rbx,%rbx,8) */
	{ 64, 2, "\x48\xcf" }, /* iretq */
	{ 64, 4, "\x3e\xff\x60\xe5" }, /* notrack jmp *-0x1b(%rax) */
	{ 64, 7, "\xde\x8c\xcb\x1a\x23\xd0\x37" }, /* fimuls 0x37d0231a(%rbx,%rcx,8) */
	{ 64, 7, "\x0f\xf9\x87\x21\x83\x16\x0c" }, /* psubw 0xc168321(%rdi),%mm0 */
	{ 64, 7, "\x0f\xd3\x8b\x07\xe9\x82\x16" }, /* psrlq 0x1682e907(%rbx),%mm1 */
	{ 64, 7, "\xde\x94\x08\x5e\xd4\x79\x8c" }, /* ficoms -0x73862ba2(%rax,%rcx,1) */
	{ 64, 7, "\x80\x81\x01\x70\xe7\xd0\x67" }, /* addb $0x67,-0x2f188fff(%rcx) */
	{ 64, 7, "\x0f\xec\x87\x5f\x04\x4b\x63" }, /* paddsb 0x634b045f(%rdi),%mm0 */
	{ 64, 2, "\xd9\xc0" }, /* fld %st(0) */
	{ 64, 4, "\x0f\xa4\xd8\x91" }, /* shld $0x91,%ebx,%eax */
	{ 64, 7, "\xdd\xa4\x96\x09\x48\x92\x7f" }, /* frstor 0x7f924809(%rsi,%rdx,4) */
	{ 64, 7, "\x0f\x29\x82\x29\x23\xbf\xeb" }, /* movaps %xmm0,-0x1440dcd7(%rdx) */
	{ 64, 4, "\x0f\xfa\x52\x51" }, /* psubd 0x51(%rdx),%mm2 */
	{ 64, 7, "\x0f\xb0\x05\xac\x74\x78\xd9" }, /* cmpxchg %al,-0x26878b54(%rip) # 0xffffffffd9 */
	{ 64, 7, "\x0f\x44\xb3\x23\x2c\x20\x4a" }, /* cmove 0x4a202c23(%rbx),%esi */
	{ 64, 3, "\x67\xe2\x1f" }, /* loopl 0xa3fa */
	{ 64, 3, "\x0f\x54\xda" }, /* andps %xmm2,%xmm3 */
	{ 64, 3, "\xf3\x89\x0a" }, /* xrelease mov %ecx,(%rdx) */
	{ 64, 2, "\xd9\xe8" }, /* fld1 */
	{ 64, 7, "\xdc\xa4\x5f\xc0\xd2\xbf\x88" }, /* fsubl -0x77402d40(%rdi,%rbx,2) */
	{ 64, 4, "\x0f\xd9\x3c\x08" }, /* psubusw (%rax,%rcx,1),%mm7 */
	{ 64, 7, "\xdf\x94\x0e\x45\x3a\xa7\x1f" }, /* fists 0x1fa73a45(%rsi,%rcx,1) */
	{ 64, 3, "\xc6\xf8\x0b" }, /* xabort $0xb */
	{ 64, 7, "\xd8\xa4\x67\xf0\xfa\x55\xcd" }, /* fsubs -0x32aa0510(%rdi,%riz,2) */
	{ 64, 2, "\x66\xa7" }, /* cmpsw %es:(%rdi),%ds:(%rsi) */
	{ 64, 7, "\xdd\xbc\xee\x84\x7c\x7e\x6f" }, /* fnstsw 0x6f7e7c84(%rsi,%rbp,8) */
	{ 64, 3, "\x0f\x9c\x33" }, /* setl (%rbx) */
	{ 64, 4, "\x0f\xdb\x7e\x87" }, /* pand -0x79(%rsi),%mm7 */
	{ 64, 4, "\x0f\x68\x41\x72" }, /* punpckhbw 0x72(%rcx),%mm0 */
	{ 64, 4, "\x0f\xeb\x67\xab" }, /* por -0x55(%rdi),%mm4 */
	{ 64, 2, "\xd9\xf7" }, /* fincstp */
	{ 64, 7, "\x80\x99\x31\xd4\x50\x9d\x71" }, /* sbbb $0x71,-0x62af2bcf(%rcx) */
	{ 64, 7, "\x0f\xe5\xba\x88\x80\x17\xf2" }, /* pmulhw -0xde87f78(%rdx),%mm7 */
	{ 64, 3, "\x0f\xf4\xd1" }, /* pmuludq %mm1,%mm2 */
	{ 64, 3, "\x0f\x4d\xf1" }, /* cmovge %ecx,%esi */
	{ 64, 7, "\xff\x14\x35\xb9\x37\x48\x15" }, /* call *0x154837b9(,%rsi,1) */
	{ 64, 4, "\x0f\xff\x51\xa2" }, /* ud0 -0x5e(%rcx),%edx */
	{ 64, 7, "\xdf\xbc\xa0\x43\x62\x8c\x42" }, /* fistpll 0x428c6243(%rax,%riz,4) */
	{ 64, 2, "\x48\x99" }, /* cqto */
	{ 64, 7, "\xf3\x87\x1d\xce\x31\x5a\x2c" }, /* xrelease xchg %ebx,0x2c5a31ce(%rip) # 0x2c5a */
	{ 64, 3, "\x2e\x78\xdb" }, /* js,pn 0x2a7d */
	{ 64, 4, "\x41\x0f\x4e\xe2" }, /* cmovle %r10d,%esp */
	{ 64, 3, "\x48\xd3\x08" }, /* rorq %cl,(%rax) */
	{ 64, 3, "\x0f\xb0\xef" }, /* cmpxchg %ch,%bh */
	{ 64, 5, "\x0f\xfb\x44\x9a\x73" }, /* psubq 0x73(%rdx,%rbx,4),%mm0 */
	{ 64, 7, "\x64\x4f\xe8\x5a\x5e\x01\x55" }, /* fs rex.WRXB call 0x550216cd */
	{ 64, 7, "\xf6\x9c\xa1\x92\xe1\x96\x95" }, /* negb -0x6a691e6e(%rcx,%riz,4) */
	{ 64, 7, "\x49\xd1\xb8\xc5\x77\xee\x4a" }, /* sarq 0x4aee77c5(%r8) */
	{ 64, 2, "\x0f\xa2" }, /* cpuid */
	{ 64, 3, "\x0f\x15\x12" }, /* unpckhps (%rdx),%xmm2 */
	{ 64, 7, "\x0f\xc0\x89\x51\xa5\xf2\xef" }, /* xadd %cl,-0x100d5aaf(%rcx) */
	{ 64, 4, "\x0f\x19\x62\xb4" }, /* nopl -0x4c(%rdx) */
	{ 64, 4, "\x0f\x94\x7e\x14" }, /* sete 0x14(%rsi) */
	{ 64, 2, "\x66\xa5" }, /* movsw %ds:(%rsi),%es:(%rdi) */
	{ 64, 7, "\xda\x8c\xff\xfc\xfe\x31\x7c" }, /* fimull 0x7c31fefc(%rdi,%rdi,8) */
	{ 64, 2, "\x66\x99" }, /* cwtd */
	{ 64, 2, "\xd9\xf9" }, /* fyl2xp1 */
	{ 64, 4, "\x0f\x2d\x47\x89" }, /* cvtps2pi -0x77(%rdi),%mm0 */
	{ 64, 7, "\xd9\xbc\x82\x32\x81\x39\x06" }, /* fnstcw 0x6398132(%rdx,%rax,4) */
	{ 64, 2, "\x0f\x77" }, /* emms */
	{ 64, 5, "\x0f\x70\x6d\x8f\x72" }, /* pshufw $0x72,-0x71(%rbp),%mm5 */
	{ 64, 7, "\xdf\xa4\x91\xcb\x18\xe7\x89" }, /* fbld -0x7618e735(%rcx,%rdx,4) */
	{ 64, 7, "\xf6\x94\x6f\x5d\xcb\x8a\x22" }, /* notb 0x228acb5d(%rdi,%rbp,2) */
	{ 64, 7, "\xf6\xb4\xe0\xe9\x7f\xb8\xce" }, /* divb -0x31478017(%rax,%riz,8) */
	{ 64, 7, "\x0f\x17\x90\x09\xa2\x69\xe5" }, /* movhps %xmm2,-0x1a965df7(%rax) */
	{ 64, 3, "\x3e\x74\x85" }, /* je,pt 0xbae8 */
	{ 64, 2, "\xd9\xf4" }, /* fxtract */
	{ 64, 3, "\x3e\x77\xff" }, /* ja,pt 0x6799 */
	{ 64, 3, "\x0f\xf3\x0b" }, /* psllq (%rbx),%mm1 */
	{ 64, 4, "\x0f\xed\x48\x5f" }, /* paddsw 0x5f(%rax),%mm1 */
	{ 64, 2, "\xdd\xea" }, /* fucomp %st(2) */
	{ 64, 3, "\x2e\xe1\x03" }, /* loope,pn 0x51b7 */
	{ 64, 2, "\xd9\xe1" }, /* fabs */
	{ 64, 3, "\x0f\x4c\x0b" }, /* cmovl (%rbx),%ecx */
	{ 64, 7, "\x0f\x94\x3d\xee\x9e\x67\xd9" }, /* sete -0x26986112(%rip) # 0xffffffffd968721d */
	{ 64, 3, "\x67\xe1\x57" }, /* loopel 0xe8f7 */
	{ 64, 5, "\x48\xc1\x71\xec\x61" }, /* shlq $0x61,-0x14(%rcx) */
	{ 64, 7, "\x0f\x03\xa2\x9d\xf7\x4e\xbb" }, /* lsl -0x44b10863(%rdx),%esp */
	{ 64, 7, "\xd9\x1c\x55\x0c\x61\x18\xd8" }, /* fstps -0x27e79ef4(,%rdx,2) */
	{ 64, 7, "\x41\xde\xab\x4b\xa9\x91\x5a" }, /* fisubrs 0x5a91a94b(%r11) */
	{ 64, 3, "\x0f\x97\xc1" }, /* seta %cl */
	{ 64, 2, "\xd9\xf2" }, /* fptan */
	{ 64, 7, "\x0f\x1a\x90\x58\x9d\x8d\x81" }, /* bndldx -0x7e7262a8(%rax),%bnd2 */
	{ 64, 2, "\xdb\xe5" }, /* frstpm(287 only) */
	{ 64, 7, "\x65\x42\xbc\x06\xec\x16\x18" }, /* gs rex.X mov $0x1816ec06,%esp */
	{ 64, 7, "\x0f\x5d\x0d\x95\x09\xb5\xfc" }, /* minps -0x34af66b(%rip),%xmm1 # 0xfffffffffcb */
	{ 64, 3, "\x3e\xe0\x2b" }, /* loopne,pt 0x4091 */
	{ 64, 3, "\x66\xd1\x27" }, /* shlw (%rdi) */
	{ 64, 7, "\x0f\xf8\x90\x3e\x2e\x98\x66" }, /* psubb 0x66982e3e(%rax),%mm2 */
	{ 64, 3, "\x49\xd1\x11" }, /* rclq (%r9) */
	{ 64, 7, "\x0f\x6f\x0d\xc6\x1f\xdd\xfd" }, /* movq -0x222e03a(%rip),%mm1 # 0xfffffffffddd6 */
	{ 64, 7, "\x0f\xd1\xbe\x53\x65\x3b\x22" }, /* psrlw 0x223b6553(%rsi),%mm7 */
	{ 64, 2, "\x0f\x07" }, /* sysretl */
	{ 64, 3, "\x0f\xe2\xc0" }, /* psrad %mm0,%mm0 */
	{ 64, 3, "\x0f\x7f\xfb" }, /* movq %mm7,%mm3 */
	{ 64, 7, "\xfe\x8c\x52\x7e\xb2\x35\xbe" }, /* decb -0x41ca4d82(%rdx,%rdx,2) */
	{ 64, 3, "\x67\xe0\x9c" }, /* loopnel 0x81e7 */
	{ 64, 7, "\xda\xa4\xf0\x2d\x86\x8b\xce" }, /* fisubl -0x317479d3(%rax,%rsi,8) */
	{ 64, 3, "\x0f\xb2\x22" }, /* lss (%rdx),%esp */
	{ 64, 4, "\x66\xd3\x5f\x84" }, /* rcrw %cl,-0x7c(%rdi) */
	{ 64, 7, "\xff\xac\x06\xfe\x2b\x6d\x5e" }, /* ljmp *0x5e6d2bfe(%rsi,%rax,1) */
	{ 64, 4, "\x0f\x9e\x3c\xf2" }, /* setle (%rdx,%rsi,8) */
	{ 64, 7, "\xd8\x9c\x99\x90\xd1\x98\x52" }, /* fcomps 0x5298d190(%rcx,%rbx,4) */
	{ 64, 7, "\x0f\xfe\xbd\x38\xc4\xd7\x00" }, /* paddd 0xd7c438(%rbp),%mm7 */
	{ 64, 7, "\xdb\x3c\x35\x6d\x30\xe6\x3f" }, /* fstpt 0x3fe6306d(,%rsi,1) */
	{ 64, 2, "\xd9\xea" }, /* fldl2e */
	{ 64, 4, "\x0f\x5d\x58\xb2" }, /* minps -0x4e(%rax),%xmm3 */
	{ 64, 3, "\x0f\xdf\x1e" }, /* pandn (%rsi),%mm3 */
	{ 64, 2, "\xd9\xed" }, /* fldln2 */
	{ 64, 2, "\x0f\x33" }, /* rdpmc */
	{ 64, 7, "\x0f\x13\x82\x3b\xe0\xe4\xe0" }, /* movlps %xmm0,-0x1f1b1fc5(%rdx) */
	{ 64, 3, "\x3e\x78\x02" }, /* js,pt 0x11a0 */
	{ 64, 8, "\x0f\xfd\x9c\xc7\xb2\xf6\xbb\xa8" }, /* paddw -0x5744094e(%rdi,%rax,8),%mm3 */
	{ 64, 7, "\x0f\xfa\xa5\xd8\xed\x1d\x3d" }, /* psubd 0x3d1dedd8(%rbp),%mm4 */
	{ 64, 3, "\x2e\x7d\x60" }, /* jge,pn 0x5d26 */
	{ 64, 7, "\xdc\x84\x04\x6c\x53\x8d\x92" }, /* faddl -0x6d72ac94(%rsp,%rax,1) */
	{ 64, 7, "\x41\xdb\x87\x4c\x74\xae\xc4" }, /* fildl -0x3b518bb4(%r15) */
	{ 64, 5, "\x0f\xbc\x74\x5e\x7b" }, /* bsf 0x7b(%rsi,%rbx,2),%esi */
	{ 64, 3, "\x0f\x58\x09" }, /* addps (%rcx),%xmm1 */
	{ 64, 3, "\x0f\xdd\xdc" }, /* paddusw %mm4,%mm3 */
	{ 64, 7, "\x0f\xff\xad\xba\xc1\x1c\x02" }, /* ud0 0x21cc1ba(%rbp),%ebp */
	{ 64, 7, "\x0f\xe4\xa2\x52\x80\xd1\x4a" }, /* pmulhuw 0x4ad18052(%rdx),%mm4 */
	{ 64, 7, "\x67\xdd\x90\xac\xcd\x30\x93" }, /* fstl -0x6ccf3254(%eax) */
	{ 64, 4, "\x0f\x2b\x48\x9a" }, /* movntps %xmm1,-0x66(%rax) */
	{ 64, 4, "\x0f\x28\x4e\xd9" }, /* movaps -0x27(%rsi),%xmm1 */
	{ 64, 5, "\x0f\xfe\x44\x3d\xdb" }, /* paddd -0x25(%rbp,%rdi,1),%mm0 */
	{ 64, 7, "\x0f\xad\x9d\xc2\xaa\x27\x89" }, /* shrd %cl,%ebx,-0x76d8553e(%rbp) */
	{ 64, 5, "\x66\xc8\xd7\xf3\xb6" }, /* enterw $0xf3d7,$0xb6 */
	{ 64, 2, "\xdb\xe3" }, /* fninit */
	{ 64, 2, "\x0f\x32" }, /* rdmsr */
	{ 64, 8, "\x66\x0f\x1f\xad\xae\x80\xee\x80" }, /* nopw -0x7f117f52(%rbp) */
	{ 64, 2, "\xda\xe9" }, /* fucompp */
	{ 64, 7, "\x41\xff\x81\x94\x0e\xfe\x2d" }, /* incl 0x2dfe0e94(%r9) */
	{ 64, 7, "\x0f\x2b\x89\x4d\x12\x60\x1e" }, /* movntps %xmm1,0x1e60124d(%rcx) */
	{ 64, 7, "\xdf\xac\xb3\x3a\xae\x7e\x23" }, /* fildll 0x237eae3a(%rbx,%rsi,4) */
	{ 64, 3, "\x3e\x75\x35" }, /* jne,pt 0x757f */
	{ 64, 3, "\x2e\x70\x7a" }, /* jo,pn 0x31ac */
	{ 64, 4, "\x0f\xfd\x34\xd9" }, /* paddw (%rcx,%rbx,8),%mm6 */
	{ 64, 9, "\x66\x81\x9f\x7f\x04\x77\x92\x65\x07" }, /* sbbw $0x765,-0x6d88fb81(%rdi) */
	{ 64, 7, "\xde\x9c\x77\x1d\x51\x38\xa8" }, /* ficomps -0x57c7aee3(%rdi,%rsi,2) */
	{ 64, 7, "\xdb\x94\xaa\xba\xf9\x9f\xb0" }, /* fistl -0x4f600646(%rdx,%rbp,4) */
	{ 64, 7, "\x0f\x99\xbe\xee\x82\x8e\xa4" }, /* setns -0x5b717d12(%rsi) */
	{ 64, 7, "\xdc\x94\xdc\x9a\x13\x15\x94" }, /* fcoml -0x6beaec66(%rsp,%rbx,8) */
	{ 64, 2, "\x0f\x08" }, /* invd */
	{ 64, 4, "\x0f\xde\x41\x6e" }, /* pmaxub 0x6e(%rcx),%mm0 */
	{ 64, 3, "\x0f\xae\x02" }, /* fxsave (%rdx) */
	{ 64, 3, "\x0f\xb4\x32" }, /* lfs (%rdx),%esi */
	{ 64, 7, "\x0f\x2d\xaa\x4e\xfe\xde\xe9" }, /* cvtps2pi -0x162101b2(%rdx),%mm5 */
	{ 64, 3, "\x0f\x01\x20" }, /* smsw (%rax) */
	{ 64, 5, "\x0f\xb3\x54\x86\x64" }, /* btr %edx,0x64(%rsi,%rax,4) */
	{ 64, 2, "\xd9\xf3" }, /* fpatan */
	{ 64, 3, "\x0f\xab\x39" }, /* bts %edi,(%rcx) */
	{ 64, 7, "\x0f\x45\x85\x96\xe8\x49\x6e" }, /* cmovne 0x6e49e896(%rbp),%eax */
	{ 64, 3, "\x3e\xe3\x75" }, /* jrcxz,pt 0x98d6 */
	{ 64, 3, "\x0f\xee\xe4" }, /* pmaxsw %mm4,%mm4 */
	{ 64, 4, "\x0f\xd2\x14\xa6" }, /* psrld (%rsi,%riz,4),%mm2 */
	{ 64, 3, "\x3e\x71\x38" }, /* jno,pt 0xc197 */
	{ 64, 7, "\xdd\x04\x2d\x37\xa6\xc8\x0a" }, /* fldl 0xac8a637(,%rbp,1) */
	{ 64, 8, "\x0f\x55\xb4\xdf\xdd\x29\x0c\xa9" }, /* andnps -0x56f3d623(%rdi,%rbx,8),%xmm6 */
	{ 64, 3, "\x0f\x00\x0e" }, /* str (%rsi) */
	{ 64, 7, "\xd9\xa4\xd7\xee\x41\x86\xc2" }, /* fldenv -0x3d79be12(%rdi,%rdx,8) */
	{ 64, 3, "\x2e\x7b\xc7" }, /* jnp,pn 0x727c */
	{ 64, 5, "\x0f\xe1\x54\xcf\x41" }, /* psraw 0x41(%rdi,%rcx,8),%mm2 */
	{ 64, 7, "\x0f\xd8\x8b\x7a\xae\x57\xea" }, /* psubusb -0x15a85186(%rbx),%mm1 */
	{ 64, 7, "\xde\x84\x14\x0d\xf8\x37\x31" }, /* fiadds 0x3137f80d(%rsp,%rdx,1) */
	{ 64, 7, "\xd8\x8c\xb1\x82\x52\x30\xba" }, /* fmuls -0x45cfad7e(%rcx,%rsi,4) */
	{ 64, 3, "\x3e\x7d\x6e" }, /* jge,pt 0xe5ab */
	{ 64, 7, "\xda\xac\xcb\xb1\xfd\x50\x79" }, /* fisubrl 0x7950fdb1(%rbx,%rcx,8) */
	{ 64, 2, "\xd9\xfb" }, /* fsincos */
	{ 64, 4, "\x0f\xc5\xfa\x8c" }, /* pextrw $0x8c,%mm2,%edi */
	{ 64, 4, "\x0f\x02\x69\x64" }, /* lar 0x64(%rcx),%ebp */
	{ 64, 7, "\xdc\x9c\x25\xfc\x62\x90\x06" }, /* fcompl 0x69062fc(%rbp,%riz,1) */
	{ 64, 2, "\x0f\x0b" }, /* ud2 */
	{ 64, 4, "\x0f\x57\x7f\xce" }, /* xorps -0x32(%rdi),%xmm7 */
	{ 64, 7, "\x0f\x47\xb3\xaf\xd0\x18\xb4" }, /* cmova -0x4be72f51(%rbx),%esi */
	{ 64, 3, "\x0f\xd5\x07" }, /* pmullw (%rdi),%mm0 */
	{ 64, 3, "\x0f\x14\x02" }, /* unpcklps (%rdx),%xmm0 */
	{ 64, 3, "\x3e\x70\x0e" }, /* jo,pt 0x4b7d */
	{ 32, 7, "\x88\xb4\xc2\xd1\x57\xa2\x79" }, /* mov %dh,0x79a257d1(%edx,%eax,8) */
	{ 32, 1, "\x5d" }, /* pop %ebp */
	{ 32, 3, "\xca\x67\x77" }, /* lret $0x7767 */
	{ 32, 2, "\x7a\xb1" }, /* jp 0xb80 */
	{ 32, 5, "\xa9\xa1\x8e\xe9\x02" }, /* test $0x2e98ea1,%eax */
	{ 32, 4, "\x18\x4c\x64\x27" }, /* sbb %cl,0x27(%esp,%eiz,2) */
	{ 32, 1, "\x54" }, /* push %esp */
	{ 32, 2, "\x22\xc2" }, /* and %dl,%al */
	{ 32, 3, "\x2b\x77\x0e" }, /* sub 0xe(%edi),%esi */
	{ 32, 1, "\x91" }, /* xchg %eax,%ecx */
	{ 32, 2, "\xb6\x52" }, /* mov $0x52,%dh */
	{ 32, 7, "\xea\xca\x12\x06\xa7\x69\x2a" }, /* ljmp $0x2a69,$0xa70612ca */
	{ 32, 1, "\x49" }, /* dec %ecx */
	{ 32, 2, "\x34\x3a" }, /* xor $0x3a,%al */
	{ 32, 5, "\x05\xe2\x0c\x25\xcc" }, /* add $0xcc250ce2,%eax */
	{ 32, 2, "\x26\xc9" }, /* es leave */
	{ 32, 1, "\x9e" }, /* sahf */
	{ 32, 4, "\xc1\x70\xaf\xec" }, /* shll $0xec,-0x51(%eax) */
	{ 32, 6, "\x0a\x8f\x14\xbd\x0e\xac" }, /* or -0x53f142ec(%edi),%cl */
	{ 32, 2, "\xdf\x31" }, /* fbstp (%ecx) */
	{ 32, 2, "\x66\x45" }, /* inc %bp */
	{ 32, 1, "\xfb" }, /* sti */
	{ 32, 2, "\xfe\x06" }, /* incb (%esi) */
	{ 32, 1, "\x27" }, /* daa */
	{ 32, 2, "\x3e\xee" }, /* ds out %al,(%dx) */
	{ 32, 4, "\xda\x7c\x7c\x5a" }, /* fidivrl 0x5a(%esp,%edi,2) */
	{ 32, 1, "\x60" }, /* pusha */
	{ 32, 6, "\xdf\x2d\x7c\x90\xe7\x58" }, /* fildll 0x58e7907c */
	{ 32, 2, "\x72\xa8" }, /* jb 0xc312 */
	{ 32, 1, "\x6f" }, /* outsl %ds:(%esi),(%dx) */
	{ 32, 2, "\x75\xb6" }, /* jne 0x1c3b */
	{ 32, 5, "\x3d\x50\x0c\xd5\x83" }, /* cmp $0x83d50c50,%eax */
	{ 32, 1, "\xcc" }, /* int3 */
	{ 32, 2, "\xe2\x96" }, /* loop 0xe239 */
	{ 32, 2, "\xe3\xa5" }, /* jecxz 0xb8ac */
	{ 32, 2, "\x7f\xc8" }, /* jg 0x6538 */
	{ 32, 2, "\xdc\xc0" }, /* fadd %st,%st(0) */
	{ 32, 1, "\x6c" }, /* insb (%dx),%es:(%edi) */
	{ 32, 2, "\x79\x97" }, /* jns 0x6d60 */
	{ 32, 1, "\x9c" }, /* pushf */
	{ 32, 1, "\x9d" }, /* popf */
	{ 32, 1, "\x6e" }, /* outsb %ds:(%esi),(%dx) */
	{ 32, 1, "\xf9" }, /* stc */
	{ 32, 1, "\xf5" }, /* cmc */
	{ 32, 3, "\xf3\x74\xc1" }, /* repz je 0x8446 */
	{ 32, 3, "\xc1\x2b\xec" }, /* shrl $0xec,(%ebx) */
	{ 32, 1, "\x98" }, /* cwtl */
	{ 32, 1, "\x99" }, /* cltd */
	{ 32, 2, "\x7b\xb6" }, /* jnp 0x6853 */
	{ 32, 7, "\xc0\xab\x2d\xa3\xca\x6a\x50" }, /* shrb $0x50,0x6acaa32d(%ebx) */
	{ 32, 7, "\xd0\xbc\x62\xad\xdb\x09\x6a" }, /* sarb 0x6a09dbad(%edx,%eiz,2) */
	{ 32, 2, "\x8d\x21" }, /* lea (%ecx),%esp */
	{ 32, 1, "\x61" }, /* popa */
	{ 32, 1, "\xad" }, /* lods %ds:(%esi),%eax */
	{ 32, 1, "\xfd" }, /* std */
	{ 32, 2, "\xf7\x36" }, /* divl (%esi) */
	{ 32, 1, "\xcf" }, /* iret */
	{ 32, 1, "\x6d" }, /* insl (%dx),%es:(%edi) */
	{ 32, 2, "\x73\x92" }, /* jae 0x4c55 */
	{ 32, 4, "\x64\xf2\x39\xf8" }, /* fs repnz cmp %edi,%eax */
	{ 32, 1, "\xa5" }, /* movsl %ds:(%esi),%es:(%edi) */
	{ 32, 2, "\x76\x04" }, /* jbe 0xaab4 */
	{ 32, 1, "\x37" }, /* aaa */
	{ 32, 3, "\x2e\xb6\x24" }, /* cs mov $0x24,%dh */
	{ 32, 8, "\x80\xb4\x45\xeb\xc1\x82\x12\xb5" }, /* xorb $0xb5,0x1282c1eb(%ebp,%eax,2) */
	{ 32, 4, "\xc0\x5a\x46\x4a" }, /* rcrb $0x4a,0x46(%edx) */
	{ 32, 6, "\x0f\x88\x68\x5c\x5d\x1e" }, /* js 0x1e5e02bb */
	{ 32, 7, "\x69\x6d\xbb\x23\x29\x8a\xe7" }, /* imul $0xe78a2923,-0x45(%ebp),%ebp */
	{ 32, 1, "\xee" }, /* out %al,(%dx) */
	{ 32, 1, "\x3f" }, /* aas */
	{ 32, 6, "\x69\x11\xc0\xde\x56\x03" }, /* imul $0x356dec0,(%ecx),%edx */
	{ 32, 2, "\x10\xec" }, /* adc %ch,%ah */
	{ 32, 2, "\xc5\x2f" }, /* lds (%edi),%ebp */
	{ 32, 1, "\xce" }, /* into */
	{ 32, 5, "\xc1\x4c\x21\xbd\x54" }, /* rorl $0x54,-0x43(%ecx,%eiz,1) */
	{ 32, 1, "\x2f" }, /* das */
	{ 32, 1, "\xf8" }, /* clc */
	{ 32, 6, "\xd1\x83\x24\x1c\x4d\xd6" }, /* roll -0x29b2e3dc(%ebx) */
	{ 32, 3, "\x2e\xe1\xb2" }, /* loope,pn 0xc3c9 */
	{ 32, 7, "\x9a\x68\xe7\x26\xb6\x83\xcf" }, /* lcall $0xcf83,$0xb626e768 */
	{ 32, 2, "\xf6\x38" }, /* idivb (%eax) */
	{ 32, 2, "\x70\x3c" }, /* jo 0x44db */
	{ 32, 2, "\xd5\xc3" }, /* aad $0xc3 */
	{ 32, 6, "\xda\x97\x55\x52\x85\x60" }, /* ficoml 0x60855255(%edi) */
	{ 32, 1, "\xa7" }, /* cmpsl %es:(%edi),%ds:(%esi) */
	{ 32, 2, "\x71\xba" }, /* jno 0x7870 */
	{ 32, 1, "\xc9" }, /* leave */
	{ 32, 7, "\x82\x91\x6f\x75\x8f\xa1\xf5" }, /* adcb $0xf5,-0x5e708a91(%ecx) */
	{ 32, 3, "\xda\x77\x01" }, /* fidivl 0x1(%edi) */
	{ 32, 7, "\x30\x9c\x57\x78\x97\x85\x99" }, /* xor %bl,-0x667a6888(%edi,%edx,2) */
	{ 32, 3, "\xc0\x2a\x78" }, /* shrb $0x78,(%edx) */
	{ 32, 2, "\xd4\xab" }, /* aam $0xab */
	{ 32, 2, "\xd8\x17" }, /* fcoms (%edi) */
	{ 32, 2, "\x74\x44" }, /* je 0xd028 */
	{ 32, 1, "\xf1" }, /* int1 */
	{ 32, 3, "\xde\x6d\xb2" }, /* fisubrs -0x4e(%ebp) */
	{ 32, 2, "\xeb\x11" }, /* jmp 0xcfd */
	{ 32, 2, "\xd3\x1a" }, /* rcrl %cl,(%edx) */
	{ 32, 1, "\x9f" }, /* lahf */
	{ 32, 6, "\xc4\xae\x49\x81\x45\x5f" }, /* les 0x5f458149(%esi),%ebp */
	{ 32, 1, "\xa6" }, /* cmpsb %es:(%edi),%ds:(%esi) */
	{ 32, 4, "\x83\x70\x7f\xbd" }, /* xorl $0xffffffbd,0x7f(%eax) */
	{ 32, 4, "\xc1\x7a\x7e\xce" }, /* sarl $0xce,0x7e(%edx) */
	{ 32, 3, "\x63\x45\xea" }, /* arpl %ax,-0x16(%ebp) */
	{ 32, 2, "\x77\xc8" }, /* ja 0xc23a */
	{ 32, 2, "\xcd\xc4" }, /* int $0xc4 */
	{ 32, 1, "\xa4" }, /* movsb %ds:(%esi),%es:(%edi) */
	{ 32, 1, "\xfa" }, /* cli */
	{ 32, 6, "\x62\x15\xb7\x60\xad\xc9" }, /* bound %edx,0xc9ad60b7 */
	{ 32, 1, "\xc3" }, /* ret */
	{ 32, 2, "\x7e\x78" }, /* jle 0x608d */
	{ 32, 4, "\xc8\x94\x49\x06" }, /* enter $0x4994,$0x6 */
	{ 32, 1, "\xaf" }, /* scas %es:(%edi),%eax */
	{ 32, 2, "\xd8\x1e" }, /* fcomps (%esi) */
	{ 32, 3, "\x3e\xe2\x49" }, /* loop,pt 0x62a6 */
	{ 32, 2, "\xe1\xd8" }, /* loope 0x8b8 */
	{ 32, 1, "\xab" }, /* stos %eax,%es:(%edi) */
	{ 32, 4, "\xd8\x4c\x68\x5d" }, /* fmuls 0x5d(%eax,%ebp,2) */
	{ 32, 3, "\xdc\x4a\xda" }, /* fmull -0x26(%edx) */
	{ 32, 2, "\x7c\x71" }, /* jl 0x5de8 */
	{ 32, 7, "\x21\x94\x5d\xe9\x21\x6e\x14" }, /* and %edx,0x146e21e9(%ebp,%ebx,2) */
	{ 32, 2, "\xe0\x3f" }, /* loopne 0x73ed */
	{ 32, 7, "\xc0\xa0\x19\x9e\x21\x35\x8c" }, /* shlb $0x8c,0x35219e19(%eax) */
	{ 32, 8, "\xf3\x33\xac\x34\x7f\x95\x9f\x40" }, /* repz xor 0x409f957f(%esp,%esi,1),%ebp */
	{ 32, 2, "\xe4\x69" }, /* in $0x69,%al */
	{ 32, 2, "\xdd\x37" }, /* fnsave (%edi) */
	{ 32, 2, "\xf2\xce" }, /* repnz into */
	{ 32, 6, "\xf7\xa7\x54\xe5\xc7\x60" }, /* mull 0x60c7e554(%edi) */
	{ 32, 6, "\xd9\xb3\x46\xc9\x8a\x5e" }, /* fnstenv 0x5e8ac946(%ebx) */
	{ 32, 7, "\x12\xa4\x00\x23\xeb\x39\xdc" }, /* adc -0x23c614dd(%eax,%eax,1),%ah */
	{ 32, 3, "\x36\x78\xf5" }, /* ss js 0x22b2 */
	{ 32, 3, "\x0f\xb0\x10" }, /* cmpxchg %dl,(%eax) */
	{ 32, 4, "\xdc\x6c\x4e\x94" }, /* fsubrl -0x6c(%esi,%ecx,2) */
	{ 32, 1, "\xf4" }, /* hlt */
	{ 32, 3, "\x66\xcd\xd4" }, /* data16 int $0xd4 */
	{ 32, 8, "\x82\xbc\x6a\x4a\x84\x83\x69\x2d" }, /* cmpb $0x2d,0x6983844a(%edx,%ebp,2) */
	{ 32, 3, "\x67\xeb\xf3" }, /* addr16 jmp 0xe280 */
	{ 32, 1, "\xfc" }, /* cld */
	{ 32, 5, "\x36\x83\x52\xdd\x5f" }, /* adcl $0x5f,%ss:-0x23(%edx) */
	{ 32, 10, "\x81\x25\x54\x17\xe9\xac\xc2\xd2\xfb\x70" }, /* andl $0x70fbd2c2,0xace91754 */
	{ 32, 4, "\xdd\x54\x28\xc2" }, /* fstl -0x3e(%eax,%ebp,1) */
	{ 32, 7, "\x0f\x60\x83\x35\x0c\xb1\xed" }, /* punpcklbw -0x124ef3cb(%ebx),%mm0 */
	{ 32, 3, "\xd9\x53\xd3" }, /* fsts -0x2d(%ebx) */
	{ 32, 4, "\xd3\x54\x3b\xb1" }, /* rcll %cl,-0x4f(%ebx,%edi,1) */
	{ 32, 7, "\x39\x94\x72\x38\x58\x44\x5b" }, /* cmp %edx,0x5b445838(%edx,%esi,2) */
	{ 32, 1, "\x90" }, /* nop */
	{ 32, 5, "\xe8\x20\x8a\xe2\x4f" }, /* call 0x4fe32934 */
	{ 32, 7, "\xf2\x63\x9a\x63\x4b\xd8\x4a" }, /* repnz arpl %bx,0x4ad84b63(%edx) */
	{ 32, 3, "\xd2\x43\x1d" }, /* rolb %cl,0x1d(%ebx) */
	{ 32, 3, "\x82\x3e\x0d" }, /* cmpb $0xd,(%esi) */
	{ 32, 3, "\xf6\x58\x35" }, /* negb 0x35(%eax) */
	{ 32, 1, "\xd7" }, /* xlat %ds:(%ebx) */
	{ 32, 5, "\x80\x4c\xff\xe0\x01" }, /* orb $0x1,-0x20(%edi,%edi,8) */
	{ 32, 2, "\xd8\xe5" }, /* fsub %st(5),%st */
	{ 32, 8, "\x83\x94\x32\x0d\x02\x10\x2c\x6a" }, /* adcl $0x6a,0x2c10020d(%edx,%esi,1) */
	{ 32, 2, "\xdc\xf3" }, /* fdiv %st,%st(3) */
	{ 32, 6, "\xc7\xf8\x38\xfe\x26\x10" }, /* xbegin 0x10279df5 */
	{ 32, 6, "\x81\x0b\xc5\x7d\x5a\x97" }, /* orl $0x975a7dc5,(%ebx) */
	{ 32, 6, "\xff\x83\x47\xf5\xc6\x77" }, /* incl 0x77c6f547(%ebx) */
	{ 32, 2, "\xda\xc2" }, /* fcmovb %st(2),%st */
	{ 32, 2, "\xda\xd5" }, /* fcmovbe %st(5),%st */
	{ 32, 2, "\xf7\xda" }, /* neg %edx */
	{ 32, 3, "\xf2\x71\x4c" }, /* bnd jno 0xbfc */
	{ 32, 3, "\xd8\x40\xaa" }, /* fadds -0x56(%eax) */
	{ 32, 3, "\xf6\x06\xd8" }, /* testb $0xd8,(%esi) */
	{ 32, 7, "\x81\x1c\x58\xf1\x97\x05\x51" }, /* sbbl $0x510597f1,(%eax,%ebx,2) */
	{ 32, 2, "\xdf\x1b" }, /* fistps (%ebx) */
	{ 32, 7, "\x2b\xbc\xa1\x87\xf8\x90\x02" }, /* sub 0x290f887(%ecx,%eiz,4),%edi */
	{ 32, 7, "\x00\x84\x23\xf9\x33\x0f\xbd" }, /* add %al,-0x42f0cc07(%ebx,%eiz,1) */
	{ 32, 2, "\xdf\x23" }, /* fbld (%ebx) */
	{ 32, 2, "\xd8\x22" }, /* fsubs (%edx) */
	{ 32, 2, "\xf6\x20" }, /* mulb (%eax) */
	{ 32, 3, "\xc0\xe7\x38" }, /* shl $0x38,%bh */
	{ 32, 4, "\xc0\x52\x0c\x63" }, /* rclb $0x63,0xc(%edx) */
	{ 32, 7, "\x83\xbe\xc5\x1a\xbf\xab\x06" }, /* cmpl $0x6,-0x5440e53b(%esi) */
	{ 32, 7, "\xc5\xbc\x03\x3e\xac\x9a\x6e" }, /* lds 0x6e9aac3e(%ebx,%eax,1),%edi */
	{ 32, 6, "\xf6\xb2\x57\x24\xba\x43" }, /* divb 0x43ba2457(%edx) */
	{ 32, 2, "\xdf\xef" }, /* fucomip %st(7),%st */
	{ 32, 4, "\x80\x1c\x19\xc5" }, /* sbbb $0xc5,(%ecx,%ebx,1) */
	{ 32, 2, "\xd9\x03" }, /* flds (%ebx) */
	{ 32, 2, "\x65\xee" }, /* gs out %al,(%dx) */
	{ 32, 3, "\xc0\xc4\xca" }, /* rol $0xca,%ah */
	{ 32, 6, "\xd9\x3d\x52\x93\x3c\xad" }, /* fnstcw 0xad3c9352 */
	{ 32, 11, "\x81\xb4\x82\x3a\xab\x7e\x86\x4f\xea\x84\xe2" }, /* xorl $0xe284ea4f,-0x798154c6(%edx,%eax,4) */
	{ 32, 8, "\x83\x84\x64\xcb\x1c\x4e\x8d\x14" }, /* addl $0x14,-0x72b1e335(%esp,%eiz,2) */
	{ 32, 6, "\xde\x9f\x81\xc5\xce\x4c" }, /* ficomps 0x4ccec581(%edi) */
	{ 32, 6, "\xdb\x81\xe8\x71\x44\x9d" }, /* fildl -0x62bb8e18(%ecx) */
	{ 32, 4, "\xc0\x4e\xee\x98" }, /* rorb $0x98,-0x12(%esi) */
	{ 32, 6, "\xf7\x9a\xe0\x27\x48\xd4" }, /* negl -0x2bb7d820(%edx) */
	{ 32, 2, "\xde\x33" }, /* fidivs (%ebx) */
	{ 32, 2, "\xf3\x6c" }, /* rep insb (%dx),%es:(%edi) */
	{ 32, 3, "\xdc\x56\x77" }, /* fcoml 0x77(%esi) */
	{ 32, 3, "\x83\x3f\x11" }, /* cmpl $0x11,(%edi) */
	{ 32, 2, "\x7d\x28" }, /* jge 0x9ef6 */
	{ 32, 3, "\xd0\x63\x56" }, /* shlb 0x56(%ebx) */
	{ 32, 2, "\xd9\xfe" }, /* fsin */
	{ 32, 6, "\xdc\x9e\x25\x9a\xaf\xa4" }, /* fcompl -0x5b5065db(%esi) */
	{ 32, 2, "\xdb\xe9" }, /* fucomi %st(1),%st */
	{ 32, 7, "\xc6\x81\xd6\x9c\x7a\xe2\x8a" }, /* movb $0x8a,-0x1d85632a(%ecx) */
	{ 32, 8, "\x0f\xfd\x94\x05\xf9\xfc\xf4\x49" }, /* paddw 0x49f4fcf9(%ebp,%eax,1),%mm2 */
	{ 32, 3, "\xc0\x3f\xc8" }, /* sarb $0xc8,(%edi) */
	{ 32, 2, "\x0f\xcf" }, /* bswap %edi */
	{ 32, 6, "\xfe\x89\x72\xe8\xf2\x5e" }, /* decb 0x5ef2e872(%ecx) */
	{ 32, 7, "\x0a\xb4\xbb\xd2\x82\x34\xd7" }, /* or -0x28cb7d2e(%ebx,%edi,4),%dh */
	{ 32, 2, "\xd0\xef" }, /* shr %bh */
	{ 32, 7, "\xf3\x89\xaf\xd0\x23\x1e\x29" }, /* xrelease mov %ebp,0x291e23d0(%edi) */
	{ 32, 2, "\xd9\xee" }, /* fldz */
	{ 32, 2, "\xd9\xf2" }, /* fptan */
	{ 32, 6, "\xde\x8e\xcd\x4f\xd5\x35" }, /* fimuls 0x35d54fcd(%esi) */
	{ 32, 2, "\xf7\x28" }, /* imull (%eax) */
	{ 32, 7, "\xd3\xb4\xd0\x8a\xe7\xad\x1b" }, /* shll %cl,0x1bade78a(%eax,%edx,8) */
	{ 32, 3, "\x67\xda\x0c" }, /* fimull (%si) */
	{ 32, 7, "\x81\x4e\xf8\xfa\x88\x30\xb9" }, /* orl $0xb93088fa,-0x8(%esi) */
	{ 32, 2, "\xda\x23" }, /* fisubl (%ebx) */
	{ 32, 3, "\x83\x21\x6c" }, /* andl $0x6c,(%ecx) */
	{ 32, 3, "\xff\x4d\x12" }, /* decl 0x12(%ebp) */
	{ 32, 2, "\xd1\xff" }, /* sar %edi */
	{ 32, 7, "\x80\xa3\xd1\x7e\x44\xb9\x6d" }, /* andb $0x6d,-0x46bb812f(%ebx) */
	{ 32, 2, "\xde\x22" }, /* fisubs (%edx) */
	{ 32, 2, "\xd9\x19" }, /* fstps (%ecx) */
	{ 32, 2, "\xd3\xd9" }, /* rcr %cl,%ecx */
	{ 32, 7, "\x84\x8c\x66\xc9\x8d\x0c\x68" }, /* test %cl,0x680c8dc9(%esi,%eiz,2) */
	{ 32, 4, "\x0f\x48\x71\x87" }, /* cmovs -0x79(%ecx),%esi */
	{ 32, 6, "\xf6\x92\xd0\x10\x8a\xa1" }, /* notb -0x5e75ef30(%edx) */
	{ 32, 3, "\xda\x5f\x05" }, /* ficompl 0x5(%edi) */
	{ 32, 3, "\xde\x52\xc5" }, /* ficoms -0x3b(%edx) */
	{ 32, 2, "\xdf\xc2" }, /* ffreep %st(2) */
	{ 32, 7, "\xde\xac\x21\xde\xc2\x71\x5f" }, /* fisubrs 0x5f71c2de(%ecx,%eiz,1) */
	{ 32, 7, "\x63\xbc\x1c\x4f\x4c\x63\x03" }, /* arpl %di,0x3634c4f(%esp,%ebx,1) */
	{ 32, 7, "\x1a\xbc\x9a\xcd\xfa\x11\x80" }, /* sbb -0x7fee0533(%edx,%ebx,4),%bh */
	{ 32, 3, "\xdf\x40\x99" }, /* filds -0x67(%eax) */
	{ 32, 3, "\x83\x1f\x33" }, /* sbbl $0x33,(%edi) */
	{ 32, 2, "\xdf\x13" }, /* fists (%ebx) */
	{ 32, 2, "\xff\x2a" }, /* ljmp *(%edx) */
	{ 32, 3, "\x2e\xe2\x85" }, /* loop,pn 0x6a86 */
	{ 32, 4, "\x0f\xf1\x7b\x41" }, /* psllw 0x41(%ebx),%mm7 */
	{ 32, 7, "\xc0\x87\x73\x5f\x88\x53\x9d" }, /* rolb $0x9d,0x53885f73(%edi) */
	{ 32, 8, "\xf6\x8c\x26\x84\x4e\x6a\x2d\x56" }, /* testb $0x56,0x2d6a4e84(%esi,%eiz,1) */
	{ 32, 5, "\x67\x0f\xfa\x69\x58" }, /* psubd 0x58(%bx,%di),%mm5 */
	{ 32, 2, "\xdb\xd0" }, /* fcmovnbe %st(0),%st */
	{ 32, 3, "\x80\x31\x8f" }, /* xorb $0x8f,(%ecx) */
	{ 32, 4, "\xdd\x64\x7f\x88" }, /* frstor -0x78(%edi,%edi,2) */
	{ 32, 6, "\xd8\x35\x02\xa2\x05\x7b" }, /* fdivs 0x7b05a202 */
	{ 32, 2, "\xf6\xf7" }, /* div %bh */
	{ 32, 4, "\x82\x50\xce\x74" }, /* adcb $0x74,-0x32(%eax) */
	{ 32, 3, "\xc6\xf8\x70" }, /* xabort $0x70 */
	{ 32, 7, "\xdd\x8c\x91\xc5\xad\xc4\xa2" }, /* fisttpll -0x5d3b523b(%ecx,%edx,4) */
	{ 32, 3, "\xdc\x65\x8a" }, /* fsubl -0x76(%ebp) */
	{ 32, 7, "\xf6\xac\xee\xaa\xe6\xcf\x83" }, /* imulb -0x7c301956(%esi,%ebp,8) */
	{ 32, 3, "\xff\x5d\x86" }, /* lcall *-0x7a(%ebp) */
	{ 32, 2, "\xf7\xe0" }, /* mul %eax */
	{ 32, 2, "\xf7\xff" }, /* idiv %edi */
	{ 32, 10, "\xc7\x83\x0a\x47\xba\x85\x84\x07\xea\x69" }, /* movl $0x69ea0784,-0x7a45b8f6(%ebx) */
	{ 32, 3, "\xdb\x4a\x43" }, /* fisttpl 0x43(%edx) */
	{ 32, 4, "\x83\x6b\x5d\x55" }, /* subl $0x55,0x5d(%ebx) */
	{ 32, 2, "\xdc\xf8" }, /* fdivr %st,%st(0) */
	{ 32, 2, "\xdb\x2e" }, /* fldt (%esi) */
	{ 32, 6, "\xf7\x0b\xd9\x45\x8d\x38" }, /* testl $0x388d45d9,(%ebx) */
	{ 32, 2, "\xdd\xd0" }, /* fst %st(0) */
	{ 32, 7, "\xc1\xaa\xa4\xb9\xae\xac\x7f" }, /* shrl $0x7f,-0x5351465c(%edx) */
	{ 32, 6, "\xd9\xaf\x23\xcf\x70\xdd" }, /* fldcw -0x228f30dd(%edi) */
	{ 32, 2, "\xd8\xcf" }, /* fmul %st(7),%st */
	{ 32, 3, "\x0f\x55\x3f" }, /* andnps (%edi),%xmm7 */
	{ 32, 6, "\xdd\x05\x27\x28\x96\xd3" }, /* fldl 0xd3962827 */
	{ 32, 3, "\xdf\x0c\x6a" }, /* fisttps (%edx,%ebp,2) */
	{ 32, 7, "\x82\xa8\xba\x37\x52\x36\xe8" }, /* subb $0xe8,0x365237ba(%eax) */
	{ 32, 3, "\xc1\xce\xf6" }, /* ror $0xf6,%esi */
	{ 32, 2, "\xde\xe0" }, /* fsubp %st,%st(0) */
	{ 32, 3, "\x67\xe1\x59" }, /* loopew 0x38a0 */
	{ 32, 3, "\xd8\x69\x27" }, /* fsubrs 0x27(%ecx) */
	{ 32, 3, "\xdc\x3c\x13" }, /* fdivrl (%ebx,%edx,1) */
	{ 32, 2, "\xf7\x3e" }, /* idivl (%esi) */
	{ 32, 7, "\x82\x8e\xb4\xd7\x1d\x38\xe3" }, /* orb $0xe3,0x381dd7b4(%esi) */
	{ 32, 6, "\xdb\x98\xd3\x1e\x1f\x5e" }, /* fistpl 0x5e1f1ed3(%eax) */
	{ 32, 7, "\xc1\x87\x8a\xe6\xe3\x06\x54" }, /* roll $0x54,0x6e3e68a(%edi) */
	{ 32, 2, "\xf7\x12" }, /* notl (%edx) */
	{ 32, 2, "\xd3\xd7" }, /* rcl %cl,%edi */
	{ 32, 3, "\xdb\x7b\xf4" }, /* fstpt -0xc(%ebx) */
	{ 32, 7, "\x0f\xab\x95\xe8\x7a\x36\x86" }, /* bts %edx,-0x79c98518(%ebp) */
	{ 32, 7, "\x3e\x87\xba\xd7\x2e\x7f\x72" }, /* xchg %edi,%ds:0x727f2ed7(%edx) */
	{ 32, 4, "\x0f\x4f\x24\x10" }, /* cmovg (%eax,%edx,1),%esp */
	{ 32, 2, "\xda\xce" }, /* fcmove %st(6),%st */
	{ 32, 2, "\xdb\xf2" }, /* fcomi %st(2),%st */
	{ 32, 4, "\xc6\x45\x7f\x92" }, /* movb $0x92,0x7f(%ebp) */
	{ 32, 2, "\xd9\xf9" }, /* fyl2xp1 */
	{ 32, 7, "\x3e\x62\x9d\x0e\xb2\x48\xb2" }, /* bound %ebx,%ds:-0x4db74df2(%ebp) */
	{ 32, 2, "\x0f\x35" }, /* sysexit */
	{ 32, 2, "\xdd\xdc" }, /* fstp %st(4) */
	{ 32, 2, "\xdc\xe8" }, /* fsubr %st,%st(0) */
	{ 32, 6, "\xd9\xa5\x7f\xa2\x25\x99" }, /* fldenv -0x66da5d81(%ebp) */
	{ 32, 7, "\x66\x28\x1d\xb3\x3b\xf3\x96" }, /* data16 sub %bl,0x96f33bb3 */
	{ 32, 7, "\x0f\xfe\xbf\x6a\xd3\xa7\x9f" }, /* paddd -0x60582c96(%edi),%mm7 */
	{ 32, 3, "\xdd\x48\x75" }, /* fisttpll 0x75(%eax) */
	{ 32, 2, "\xde\xf4" }, /* fdivp %st,%st(4) */
	{ 32, 2, "\xf7\xd1" }, /* not %ecx */
	{ 32, 7, "\x0f\xd5\x99\x5f\x88\xd3\x5b" }, /* pmullw 0x5bd3885f(%ecx),%mm3 */
	{ 32, 7, "\xda\x8c\x3e\x6b\xba\x5d\x5e" }, /* fimull 0x5e5dba6b(%esi,%edi,1) */
	{ 32, 7, "\xdb\x94\x9c\x88\xa0\x43\xad" }, /* fistl -0x52bc5f78(%esp,%ebx,4) */
	{ 32, 7, "\x0f\xae\xa7\xf3\x7e\x9b\x50" }, /* xsave 0x509b7ef3(%edi) */
	{ 32, 3, "\x3e\x7a\xb0" }, /* jp,pt 0xae20 */
	{ 32, 4, "\x83\x42\x8e\x91" }, /* addl $0xffffff91,-0x72(%edx) */
	{ 32, 7, "\xd8\xb4\xe8\xa5\xec\xe6\x91" }, /* fdivs -0x6e19135b(%eax,%ebp,8) */
	{ 32, 3, "\x80\x2b\xf7" }, /* subb $0xf7,(%ebx) */
	{ 32, 7, "\x0f\x5d\xb1\x94\x6e\xd9\xbb" }, /* minps -0x4426916c(%ecx),%xmm6 */
	{ 32, 7, "\xc0\x1d\x58\x3c\x7b\x00\xf1" }, /* rcrb $0xf1,0x7b3c58 */
	{ 32, 8, "\x36\x9a\x67\xd9\x3d\xa9\x9a\x80" }, /* ss lcall $0x809a,$0xa93dd967 */
	{ 32, 7, "\x0f\x5e\xa1\x88\x4d\xd9\x22" }, /* divps 0x22d94d88(%ecx),%xmm4 */
	{ 32, 3, "\x0f\x43\x2b" }, /* cmovae (%ebx),%ebp */
	{ 32, 3, "\x82\x26\x94" }, /* andb $0x94,(%esi) */
	{ 32, 7, "\x81\x6f\xa2\x3e\x5c\x05\xa6" }, /* subl $0xa6055c3e,-0x5e(%edi) */
	{ 32, 8, "\x80\x04\x9d\x3d\xec\x14\x2e\x1b" }, /* addb $0x1b,0x2e14ec3d(,%ebx,4) */
	{ 32, 3, "\x0f\xee\x27" }, /* pmaxsw (%edi),%mm4 */
	{ 32, 7, "\x8d\xb4\xae\xd5\x3a\x9f\x50" }, /* lea 0x509f3ad5(%esi,%ebp,4),%esi */
	{ 32, 6, "\xda\x83\x1c\x9f\x14\x08" }, /* fiaddl 0x8149f1c(%ebx) */
	{ 32, 2, "\xdd\xc6" }, /* ffree %st(6) */
	{ 32, 2, "\x66\x60" }, /* pushaw */
	{ 32, 3, "\x0f\xd3\x21" }, /* psrlq (%ecx),%mm4 */
	{ 32, 7, "\xdf\x84\xe3\x30\x3c\xef\x03" }, /* filds 0x3ef3c30(%ebx,%eiz,8) */
	{ 32, 3, "\x0f\xbe\xdb" }, /* movsbl %bl,%ebx */
	{ 32, 5, "\x82\x44\x09\x0b\xa3" }, /* addb $0xa3,0xb(%ecx,%ecx,1) */
	{ 32, 2, "\xd9\xfd" }, /* fscale */
	{ 32, 7, "\x64\xc4\xae\x08\xf2\xba\x84" }, /* les %fs:-0x7b450df8(%esi),%ebp */
	{ 32, 7, "\xdd\xbc\xe3\x65\x0e\xec\x65" }, /* fnstsw 0x65ec0e65(%ebx,%eiz,8) */
	{ 32, 2, "\xf6\x2b" }, /* imulb (%ebx) */
	{ 32, 3, "\xd8\x79\x58" }, /* fdivrs 0x58(%ecx) */
	{ 32, 3, "\x0f\x56\xeb" }, /* orps %xmm3,%xmm5 */
	{ 32, 7, "\x36\xd9\xa1\x8d\x4c\x2a\x4d" }, /* fldenv %ss:0x4d2a4c8d(%ecx) */
	{ 32, 3, "\x0f\x64\x38" }, /* pcmpgtb (%eax),%mm7 */
	{ 32, 7, "\xf7\x40\x4d\xf6\x6a\x1b\xe7" }, /* testl $0xe71b6af6,0x4d(%eax) */
	{ 32, 7, "\xf7\xac\xf4\x60\x28\x2d\xbf" }, /* imull -0x40d2d7a0(%esp,%esi,8) */
	{ 32, 3, "\xda\x6f\xd7" }, /* fisubrl -0x29(%edi) */
	{ 32, 3, "\x2e\x77\xd1" }, /* ja,pn 0x6e1d */
	{ 32, 3, "\x0f\xe4\x3b" }, /* pmulhuw (%ebx),%mm7 */
	{ 32, 2, "\x0f\x06" }, /* clts */
	{ 32, 4, "\x0f\x68\x75\xc0" }, /* punpckhbw -0x40(%ebp),%mm6 */
	{ 32, 7, "\xd8\xa4\x09\xce\x3f\x3f\xae" }, /* fsubs -0x51c0c032(%ecx,%ecx,1) */
	{ 32, 7, "\x0f\xb4\x9e\x32\xaa\x73\xa7" }, /* lfs -0x588c55ce(%esi),%ebx */
	{ 32, 2, "\xde\xc5" }, /* faddp %st,%st(5) */
	{ 32, 2, "\xdd\x1e" }, /* fstpl (%esi) */
	{ 32, 2, "\xde\xcd" }, /* fmulp %st,%st(5) */
	{ 32, 2, "\xde\x38" }, /* fidivrs (%eax) */
	{ 32, 3, "\x0f\xef\x1b" }, /* pxor (%ebx),%mm3 */
	{ 32, 7, "\x0f\xb1\x92\xec\xb2\x3a\x5d" }, /* cmpxchg %edx,0x5d3ab2ec(%edx) */
	{ 32, 7, "\x0f\xfc\x81\x66\x9f\xf5\xec" }, /* paddb -0x130a609a(%ecx),%mm0 */
	{ 32, 3, "\x0f\xbd\x0a" }, /* bsr (%edx),%ecx */
	{ 32, 3, "\x0f\x10\x32" }, /* movups (%edx),%xmm6 */
	{ 32, 2, "\xdb\xdf" }, /* fcmovnu %st(7),%st */
	{ 32, 2, "\x66\x99" }, /* cwtd */
	{ 32, 3, "\x67\xe2\x3f" }, /* loopw 0x2cfa */
	{ 32, 2, "\xdf\x38" }, /* fistpll (%eax) */
	{ 32, 2, "\x0f\x37" }, /* getsec */
	{ 32, 2, "\xd9\xed" }, /* fldln2 */
	{ 32, 2, "\xda\xd9" }, /* fcmovu %st(1),%st */
	{ 32, 7, "\xc1\x95\x99\xaf\xed\xd7\xbe" }, /* rcll $0xbe,-0x28125067(%ebp) */
	{ 32, 3, "\xf2\x87\x33" }, /* xacquire xchg %esi,(%ebx) */
	{ 32, 3, "\x2e\x79\x43" }, /* jns,pn 0x84a8 */
	{ 32, 8, "\x67\xea\xfe\x36\xae\x62\x5b\x33" }, /* addr16 ljmp $0x335b,$0x62ae36fe */
	{ 32, 7, "\xde\xa4\xa1\x30\x14\x04\xda" }, /* fisubs -0x25fbebd0(%ecx,%eiz,4) */
	{ 32, 2, "\xde\x02" }, /* fiadds (%edx) */
	{ 32, 2, "\xd8\xde" }, /* fcomp %st(6) */
	{ 32, 3, "\x0f\xd1\x00" }, /* psrlw (%eax),%mm0 */
	{ 32, 3, "\x0f\x6b\xdf" }, /* packssdw %mm7,%mm3 */
	{ 32, 2, "\x0f\xa2" }, /* cpuid */
	{ 32, 3, "\x0f\x47\xfd" }, /* cmova %ebp,%edi */
	{ 32, 7, "\xf6\xa4\x96\x5c\x57\xc6\xc5" }, /* mulb -0x3a39a8a4(%esi,%edx,4) */
	{ 32, 2, "\xd9\xea" }, /* fldl2e */
	{ 32, 2, "\xd9\xe8" }, /* fld1 */
	{ 32, 2, "\x0f\x30" }, /* wrmsr */
	{ 32, 3, "\xdd\x3c\x67" }, /* fnstsw (%edi,%eiz,2) */
	{ 32, 2, "\xd9\xc4" }, /* fld %st(4) */
	{ 32, 7, "\xd9\x1c\xfd\xd2\xfb\xf9\xff" }, /* fstps -0x6042e(,%edi,8) */
	{ 32, 2, "\xdb\xc4" }, /* fcmovnb %st(4),%st */
	{ 32, 7, "\xc1\xb9\x52\x41\x01\x31\x6f" }, /* sarl $0x6f,0x31014152(%ecx) */
	{ 32, 2, "\x66\xcf" }, /* iretw */
	{ 32, 3, "\xdc\x45\xea" }, /* faddl -0x16(%ebp) */
	{ 32, 2, "\x66\xa5" }, /* movsw %ds:(%esi),%es:(%edi) */
	{ 32, 2, "\xdd\xe1" }, /* fucom %st(1) */
	{ 32, 2, "\xde\xed" }, /* fsubrp %st,%st(5) */
	{ 32, 2, "\xd9\xeb" }, /* fldpi */
	{ 32, 7, "\xd0\x94\x33\x0f\x3f\x22\xad" }, /* rclb -0x52ddc0f1(%ebx,%esi,1) */
	{ 32, 3, "\x0f\x5c\xe2" }, /* subps %xmm2,%xmm4 */
	{ 32, 2, "\x0f\x08" }, /* invd */
	{ 32, 2, "\xdd\xea" }, /* fucomp %st(2) */
	{ 32, 2, "\xdc\x31" }, /* fdivl (%ecx) */
	{ 32, 7, "\xc1\x0d\x8b\xd6\x41\x53\x32" }, /* rorl $0x32,0x5341d68b */
	{ 32, 7, "\xff\x8c\x3b\x6e\xbf\x4e\x46" }, /* decl 0x464ebf6e(%ebx,%edi,1) */
	{ 32, 6, "\xc7\x07\x53\xed\x49\xf7" }, /* movl $0xf749ed53,(%edi) */
	{ 32, 7, "\x82\x9f\xbf\xc2\xd3\x8e\xfb" }, /* sbbb $0xfb,-0x712c3d41(%edi) */
	{ 32, 2, "\xd8\xd0" }, /* fcom %st(0) */
	{ 32, 2, "\xd9\xfa" }, /* fsqrt */
	{ 32, 3, "\x0f\xc3\x1a" }, /* movnti %ebx,(%edx) */
	{ 32, 2, "\xde\xfc" }, /* fdivrp %st,%st(4) */
	{ 32, 3, "\x3e\x77\x28" }, /* ja,pt 0x1e70 */
	{ 32, 8, "\x26\xea\xca\x0f\xfb\xe1\x17\x98" }, /* es ljmp $0x9817,$0xe1fb0fca */
	{ 32, 4, "\xdb\x54\xc6\x93" }, /* fistl -0x6d(%esi,%eax,8) */
	{ 32, 8, "\x2e\xea\x41\x0a\x50\xcb\xb0\x92" }, /* cs ljmp $0x92b0,$0xcb500a41 */
	{ 32, 2, "\x0f\x34" }, /* sysenter */
	{ 32, 3, "\x0f\xdc\x29" }, /* paddusb (%ecx),%mm5 */
	{ 32, 2, "\xde\xd9" }, /* fcompp */
	{ 32, 2, "\xdf\xf0" }, /* fcomip %st(0),%st */
	{ 32, 2, "\xd9\xca" }, /* fxch %st(2) */
	{ 32, 2, "\xd9\xe1" }, /* fabs */
	{ 32, 2, "\xdb\xe0" }, /* fneni(8087 only) */
	{ 32, 7, "\xc1\x1d\x15\xc8\x87\x23\x64" }, /* rcrl $0x64,0x2387c815 */
	{ 32, 7, "\x0f\x1b\x96\xb5\x93\xb7\x5c" }, /* bndstx %bnd2,0x5cb793b5(%esi) */
	{ 32, 2, "\x0f\x33" }, /* rdpmc */
	{ 32, 7, "\xff\x94\xff\x26\xc8\xf8\x21" }, /* call *0x21f8c826(%edi,%edi,8) */
	{ 32, 8, "\x2e\xdd\x84\xbd\x3a\x49\xa8\x9a" }, /* fldl %cs:-0x6557b6c6(%ebp,%edi,4) */
	{ 32, 2, "\x0f\x07" }, /* sysret */
	{ 32, 7, "\xd9\x94\xb0\x4f\xa3\x4c\x74" }, /* fsts 0x744ca34f(%eax,%esi,4) */
	{ 32, 7, "\xdc\x94\x53\x9e\x04\xff\xbb" }, /* fcoml -0x4400fb62(%ebx,%edx,2) */
	{ 32, 3, "\x0f\xde\x03" }, /* pmaxub (%ebx),%mm0 */
	{ 32, 4, "\x0f\x9d\x4a\x5b" }, /* setge 0x5b(%edx) */
	{ 32, 3, "\x0f\x4a\x2e" }, /* cmovp (%esi),%ebp */
	{ 32, 7, "\xf6\x94\x32\x17\xb4\x08\xb1" }, /* notb -0x4ef74be9(%edx,%esi,1) */
	{ 32, 4, "\x66\xe9\xe2\x4a" }, /* jmpw 0xf6be */
	{ 32, 3, "\x2e\x7c\x7a" }, /* jl,pn 0x5956 */
	{ 32, 7, "\xd8\x84\x88\x2a\x8e\xf2\xdb" }, /* fadds -0x240d71d6(%eax,%ecx,4) */
	{ 32, 4, "\x0f\x58\x24\xc8" }, /* addps (%eax,%ecx,8),%xmm4 */
	{ 32, 3, "\x0f\x9e\x1f" }, /* setle (%edi) */
	{ 32, 7, "\xdd\xb4\xe6\x15\xb9\xca\x14" }, /* fnsave 0x14cab915(%esi,%eiz,8) */
	{ 32, 7, "\xda\xbc\xf4\xc0\x0f\x5b\xd4" }, /* fidivrl -0x2ba4f040(%esp,%esi,8) */
	{ 32, 3, "\x0f\xad\x2b" }, /* shrd %cl,%ebp,(%ebx) */
	{ 32, 3, "\x0f\x98\xf0" }, /* sets %al */
	{ 32, 7, "\xfe\x0c\x95\x59\x31\xbd\xe7" }, /* decb -0x1842cea7(,%edx,4) */
	{ 32, 7, "\x36\xdb\xaa\x63\x47\xf6\x3d" }, /* fldt %ss:0x3df64763(%edx) */
	{ 32, 7, "\xde\x94\xfd\x2a\xf4\xed\x15" }, /* ficoms 0x15edf42a(%ebp,%edi,8) */
	{ 32, 2, "\x66\x07" }, /* popw %es */
	{ 32, 2, "\x0f\x09" }, /* wbinvd */
	{ 32, 8, "\x66\xf7\xb4\x8b\xcc\x91\x15\x74" }, /* divw 0x741591cc(%ebx,%ecx,4) */
	{ 32, 7, "\x64\x2e\xa9\x78\xe2\xa2\x45" }, /* fs cs test $0x45a2e278,%eax */
	{ 32, 7, "\xdf\x94\x86\x85\x5e\x5b\x3f" }, /* fists 0x3f5b5e85(%esi,%eax,4) */
	{ 32, 7, "\x3e\x0f\x87\xaa\x2f\x23\x9c" }, /* ja,pt 0x9c24172d */
	{ 32, 2, "\xdb\xcc" }, /* fcmovne %st(4),%st */
	{ 32, 7, "\xff\xb4\xf5\x28\x11\x6f\xc0" }, /* push -0x3f90eed8(%ebp,%esi,8) */
	{ 32, 3, "\x3e\xe3\xc5" }, /* jecxz,pt 0xa1c9 */
	{ 32, 3, "\x0f\x2d\x21" }, /* cvtps2pi (%ecx),%mm4 */
	{ 32, 3, "\x0f\xe1\x00" }, /* psraw (%eax),%mm0 */
	{ 32, 3, "\x3e\x73\xb2" }, /* jae,pt 0xce67 */
	{ 32, 3, "\x0f\xa5\xce" }, /* shld %cl,%ecx,%esi */
	{ 32, 8, "\x3e\x3e\xd0\x82\x8a\xc6\xb1\x4a" }, /* ds rolb %ds:0x4ab1c68a(%edx) */
	{ 32, 3, "\x3e\x74\x4c" }, /* je,pt 0x3fec */
	{ 32, 4, "\x66\x68\x75\xf6" }, /* pushw $0xf675 */
	{ 32, 3, "\x0f\x5f\xe2" }, /* maxps %xmm2,%xmm4 */
	{ 32, 4, "\xf3\x86\x50\xcd" }, /* xrelease xchg %dl,-0x33(%eax) */
	{ 32, 5, "\x0f\xb4\x74\x1a\x41" }, /* lfs 0x41(%edx,%ebx,1),%esi */
	{ 32, 7, "\x0f\x4d\x97\xdd\x81\x13\x9a" }, /* cmovge -0x65ec7e23(%edi),%edx */
	{ 32, 7, "\xdb\x8c\xd9\x9a\x81\x38\x73" }, /* fisttpl 0x7338819a(%ecx,%ebx,8) */
	{ 32, 8, "\x0f\xa5\xbc\x81\xb0\x07\xe3\xad" }, /* shld %cl,%edi,-0x521cf850(%ecx,%eax,4) */
	{ 32, 7, "\xdf\xa4\xb2\xa2\xd3\xb4\x2c" }, /* fbld 0x2cb4d3a2(%edx,%esi,4) */
	{ 32, 7, "\xdf\xac\xc0\x38\x03\xac\x20" }, /* fildll 0x20ac0338(%eax,%eax,8) */
	{ 32, 7, "\xf6\x1c\x25\x98\x63\x62\x8c" }, /* negb -0x739d9c68(,%eiz,1) */
	{ 32, 7, "\xc0\x0d\xd2\xe2\xe8\x30\x33" }, /* rorb $0x33,0x30e8e2d2 */
	{ 32, 4, "\x0f\xf9\x4b\x5d" }, /* psubw 0x5d(%ebx),%mm1 */
	{ 32, 5, "\x0f\x01\x54\x97\x97" }, /* lgdtl -0x69(%edi,%edx,4) */
	{ 32, 3, "\x2e\x74\xfc" }, /* je,pn 0xcc3f */
	{ 32, 2, "\xd9\xd0" }, /* fnop */
	{ 32, 3, "\x0f\xed\x26" }, /* paddsw (%esi),%mm4 */
	{ 32, 2, "\x0f\x0b" }, /* ud2 */
	{ 32, 3, "\x0f\x6a\xf5" }, /* punpckhdq %mm5,%mm6 */
	{ 32, 7, "\x2e\xd8\x8e\x1d\xf5\x28\x78" }, /* fmuls %cs:0x7828f51d(%esi) */
	{ 32, 3, "\x0f\x7e\x13" }, /* movd %mm2,(%ebx) */
	{ 32, 7, "\xdc\x9c\x2c\x55\xfe\x98\xe4" }, /* fcompl -0x1b6701ab(%esp,%ebp,1) */
	{ 32, 5, "\x0f\xc2\x7e\x55\xdf" }, /* cmpps $0xdf,0x55(%esi),%xmm7 */
	{ 32, 7, "\xff\x84\x3e\x9c\x68\x46\x84" }, /* incl -0x7bb99764(%esi,%edi,1) */
	{ 32, 3, "\x0f\x92\xcf" }, /* setb %bh */
	{ 32, 7, "\x0f\x68\xba\x3e\x7c\x24\x33" }, /* punpckhbw 0x33247c3e(%edx),%mm7 */
	{ 32, 3, "\x2e\x71\x21" }, /* jno,pn 0x9f04 */
	{ 32, 7, "\x36\xda\xb0\x31\xf8\x8a\x40" }, /* fidivl %ss:0x408af831(%eax) */
	{ 32, 3, "\x3e\x7e\x89" }, /* jle,pt 0x4010 */
	{ 32, 7, "\x0f\x62\x9a\xef\x35\x92\x40" }, /* punpckldq 0x409235ef(%edx),%mm3 */
	{ 32, 5, "\x66\xc1\x43\x1e\x51" }, /* rolw $0x51,0x1e(%ebx) */
	{ 32, 8, "\x0f\x6b\x94\xb3\x1d\x2e\x84\xa5" }, /* packssdw -0x5a7bd1e3(%ebx,%esi,4),%mm2 */
	{ 32, 2, "\x66\xcb" }, /* lretw */
	{ 32, 6, "\x66\xea\x40\x30\xbc\x4a" }, /* ljmpw $0x4abc,$0x3040 */
	{ 32, 7, "\xdf\x8c\x43\xc8\x84\xff\x74" }, /* fisttps 0x74ff84c8(%ebx,%eax,2) */
	{ 32, 3, "\x0f\x96\xdc" }, /* setbe %ah */
	{ 32, 3, "\x0f\x4c\x21" }, /* cmovl (%ecx),%esp */
	{ 32, 7, "\x0f\x48\x9f\x56\x74\xb4\xf6" }, /* cmovs -0x94b8baa(%edi),%ebx */
	{ 32, 3, "\x0f\xd7\xce" }, /* pmovmskb %mm6,%ecx */
	{ 32, 7, "\xd8\xbc\xad\x66\x5b\x7e\x77" }, /* fdivrs 0x777e5b66(%ebp,%ebp,4) */
	{ 32, 2, "\x66\xc9" }, /* leavew */
	{ 32, 3, "\x2e\x76\xad" }, /* jbe,pn 0xcca9 */
	{ 32, 7, "\x64\xdb\x81\x9c\x4a\xc9\xec" }, /* fildl %fs:-0x1336b564(%ecx) */
	{ 32, 2, "\xd9\xe0" }, /* fchs */
	{ 32, 3, "\x2e\x78\xac" }, /* js,pn 0x2939 */
	{ 32, 5, "\x0f\x91\x5c\x4a\x52" }, /* setno 0x52(%edx,%ecx,2) */
	{ 32, 3, "\x0f\xb7\xc8" }, /* movzwl %ax,%ecx */
	{ 32, 3, "\x0f\x99\x20" }, /* setns (%eax) */
	{ 32, 3, "\x3e\x7d\xe7" }, /* jge,pt 0x2a5c */
	{ 32, 7, "\x0f\x1a\x9d\xb2\xc7\x11\x74" }, /* bndldx 0x7411c7b2(%ebp),%bnd3 */
	{ 32, 7, "\xdd\x94\xba\xd4\x4d\xcc\xa4" }, /* fstl -0x5b33b22c(%edx,%edi,4) */
	{ 32, 4, "\x0f\xbf\x6a\x7a" }, /* movswl 0x7a(%edx),%ebp */
	{ 32, 4, "\x0f\x13\x58\x2b" }, /* movlps %xmm3,0x2b(%eax) */
	{ 32, 3, "\x0f\xfc\x30" }, /* paddb (%eax),%mm6 */
	{ 32, 4, "\x0f\x40\x79\x79" }, /* cmovo 0x79(%ecx),%edi */
	{ 32, 4, "\x0f\xd9\x62\x5e" }, /* psubusw 0x5e(%edx),%mm4 */
	{ 32, 7, "\x65\xf2\x15\xf9\x9f\xaa\xed" }, /* gs repnz adc $0xedaa9ff9,%eax */
	{ 32, 7, "\xfe\x04\xa5\xcf\x51\x45\xef" }, /* incb -0x10baae31(,%eiz,4) */
	{ 32, 3, "\x3e\xe1\x95" }, /* loope,pt 0xdc4c */
	{ 32, 3, "\x0f\xea\xdd" }, /* pminsw %mm5,%mm3 */
	{ 32, 2, "\xdb\xe1" }, /* fndisi(8087 only) */
	{ 32, 4, "\x0f\x72\xe5\xcc" }, /* psrad $0xcc,%mm5 */
	{ 32, 4, "\x0f\x70\xc0\x1d" }, /* pshufw $0x1d,%mm0,%mm0 */
	{ 32, 3, "\x3e\x7f\x1f" }, /* jg,pt 0x3528 */
	{ 32, 7, "\x0f\xae\x97\xdb\xc2\xa4\x54" }, /* ldmxcsr 0x54a4c2db(%edi) */
	{ 32, 5, "\x0f\xe9\x5c\x9c\x8c" }, /* psubsw -0x74(%esp,%ebx,4),%mm3 */
	{ 32, 5, "\x0f\xe8\x54\xf7\x61" }, /* psubsb 0x61(%edi,%esi,8),%mm2 */
	{ 32, 4, "\x0f\x9f\x14\x50" }, /* setg (%eax,%edx,2) */
	{ 32, 6, "\x66\x9a\x10\x68\xf8\x44" }, /* lcallw $0x44f8,$0x6810 */
	{ 32, 7, "\x26\xde\x1d\x98\xcc\x99\x3b" }, /* ficomps %es:0x3b99cc98 */
	{ 32, 3, "\x2e\xe0\x55" }, /* loopne,pn 0x579c */
	{ 32, 2, "\xd9\xf6" }, /* fdecstp */
	{ 32, 7, "\x3e\xd8\x9e\x91\x0d\x15\xb6" }, /* fcomps %ds:-0x49eaf26f(%esi) */
	{ 32, 7, "\x0f\x5c\x3d\x30\xd8\xa3\x47" }, /* subps 0x47a3d830,%xmm7 */
	{ 32, 4, "\x0f\x5b\x65\xc5" }, /* cvtdq2ps -0x3b(%ebp),%xmm4 */
	{ 32, 3, "\x2e\x75\x83" }, /* jne,pn 0xd924 */
	{ 32, 7, "\xdd\x9c\x97\xc7\x52\xc2\x47" }, /* fstpl 0x47c252c7(%edi,%edx,4) */
	{ 32, 2, "\xdb\xe5" }, /* frstpm(287 only) */
	{ 32, 7, "\x3e\xda\x93\x93\xed\x60\x05" }, /* ficoml %ds:0x560ed93(%ebx) */
	{ 32, 7, "\x0f\xb3\xb3\x2b\x08\x25\x9b" }, /* btr %esi,-0x64daf7d5(%ebx) */
	{ 32, 7, "\xdb\x1c\x8d\x14\xba\xc7\x51" }, /* fistpl 0x51c7ba14(,%ecx,4) */
	{ 32, 3, "\x2e\x73\x50" }, /* jae,pn 0x7ea3 */
	{ 32, 2, "\xdb\xe4" }, /* fnsetpm(287 only) */
	{ 32, 3, "\x0f\xb3\xe4" }, /* btr %esp,%esp */
	{ 32, 7, "\x36\xdf\x9f\xbf\x76\x48\xaa" }, /* fistps %ss:-0x55b78941(%edi) */
	{ 32, 3, "\x2e\x7a\xc5" }, /* jp,pn 0x2df7 */
	{ 32, 2, "\x0f\x31" }, /* rdtsc */
	{ 32, 3, "\x2e\x7e\x84" }, /* jle,pn 0x3043 */
	{ 32, 7, "\xdc\x8c\x81\x6b\x82\xe5\xe2" }, /* fmull -0x1d1a7d95(%ecx,%eax,4) */
	{ 32, 4, "\x0f\x2e\x04\x22" }, /* ucomiss (%edx,%eiz,1),%xmm0 */
	{ 32, 7, "\x26\xdd\xa7\x39\x4f\xd3\x22" }, /* frstor %es:0x22d34f39(%edi) */
	{ 32, 5, "\x0f\x28\x5c\x22\x8c" }, /* movaps -0x74(%edx,%eiz,1),%xmm3 */
	{ 32, 3, "\x2e\x7f\xd6" }, /* jg,pn 0x7aed */
	{ 32, 7, "\xd9\xac\xca\xfd\x26\x6d\xd7" }, /* fldcw -0x2892d903(%edx,%ecx,8) */
	{ 32, 3, "\x0f\x41\xfb" }, /* cmovno %ebx,%edi */
	{ 32, 4, "\x0f\x65\x61\x4f" }, /* pcmpgtw 0x4f(%ecx),%mm4 */
	{ 32, 7, "\xda\x84\x17\x20\xd7\xa6\x83" }, /* fiaddl -0x7c5928e0(%edi,%edx,1) */
	{ 32, 2, "\x66\x6d" }, /* insw (%dx),%es:(%edi) */
	{ 32, 7, "\x0f\xb2\xbd\xbf\xcd\xb9\xe0" }, /* lss -0x1f463241(%ebp),%edi */
	{ 32, 2, "\xd9\xf5" }, /* fprem1 */
	{ 32, 7, "\x0f\x5a\x99\x52\x58\xce\xcd" }, /* cvtps2pd -0x3231a7ae(%ecx),%xmm3 */
	{ 32, 2, "\xd9\xf3" }, /* fpatan */
	{ 32, 3, "\x0f\x2a\xea" }, /* cvtpi2ps %mm2,%xmm5 */
	{ 32, 7, "\x3e\xd9\xba\xad\x7e\xc9\x02" }, /* fnstcw %ds:0x2c97ead(%edx) */
	{ 32, 3, "\x0f\x5a\xc8" }, /* cvtps2pd %xmm0,%xmm1 */
	{ 32, 4, "\x0f\xf8\x46\x7c" }, /* psubb 0x7c(%esi),%mm0 */
	{ 32, 3, "\x0f\x53\xf2" }, /* rcpps %xmm2,%xmm6 */
	{ 32, 4, "\x0f\x95\x7e\x59" }, /* setne 0x59(%esi) */
	{ 32, 4, "\x66\xff\x40\xd5" }, /* incw -0x2b(%eax) */
	{ 32, 8, "\x0f\xc2\x9a\xe4\xe4\xd4\x0f\x40" }, /* cmpps $0x40,0xfd4e4e4(%edx),%xmm3 */
	{ 32, 4, "\x0f\x54\x51\x7a" }, /* andps 0x7a(%ecx),%xmm2 */
	{ 32, 2, "\xd9\xfc" }, /* frndint */
	{ 32, 2, "\xd9\xf8" }, /* fprem */
	{ 32, 9, "\x66\x81\x95\xda\xe0\x0a\x36\x17\x5d" }, /* adcw $0x5d17,0x360ae0da(%ebp) */
	{ 32, 3, "\x0f\xd5\xed" }, /* pmullw %mm5,%mm5 */
	{ 32, 4, "\x0f\xff\x52\x7b" }, /* ud0 0x7b(%edx),%edx */
	{ 32, 3, "\x0f\xdf\x17" }, /* pandn (%edi),%mm2 */
	{ 32, 2, "\x66\x61" }, /* popaw */
	{ 32, 4, "\x66\xe8\x77\xa3" }, /* callw 0x9d3 */
	{ 32, 3, "\x0f\x5e\x13" }, /* divps (%ebx),%xmm2 */
	{ 32, 7, "\x0f\x2c\xb5\xd3\xb5\x4d\x01" }, /* cvttps2pi 0x14db5d3(%ebp),%mm6 */
	{ 32, 7, "\x0f\x1f\xa5\x51\xaa\x67\x1b" }, /* nopl 0x1b67aa51(%ebp) */
	{ 32, 2, "\x0f\x32" }, /* rdmsr */
	{ 32, 7, "\xf7\xb4\x86\xc2\x6d\xc6\x2e" }, /* divl 0x2ec66dc2(%esi,%eax,4) */
	{ 32, 3, "\x0f\x46\xc7" }, /* cmovbe %edi,%eax */
	{ 32, 5, "\x0f\x14\x44\xbb\xdd" }, /* unpcklps -0x23(%ebx,%edi,4),%xmm0 */
	{ 32, 5, "\x0f\x03\x7c\xdb\x1c" }, /* lsl 0x1c(%ebx,%ebx,8),%edi */
	{ 32, 4, "\x0f\x6f\x42\x19" }, /* movq 0x19(%edx),%mm0 */
	{ 32, 3, "\x0f\xeb\xd1" }, /* por %mm1,%mm2 */
	{ 32, 7, "\xd8\x94\x09\x33\x43\x11\x08" }, /* fcoms 0x8114333(%ecx,%ecx,1) */
	{ 32, 7, "\xf2\x86\x82\xe7\x1e\xae\x5c" }, /* xacquire xchg %al,0x5cae1ee7(%edx) */
	{ 32, 3, "\x0f\x00\x03" }, /* sldt (%ebx) */
	{ 32, 7, "\x0f\x93\xaf\x31\x74\x1a\xf9" }, /* setae -0x6e58bcf(%edi) */
	{ 32, 7, "\x0f\x6f\x2d\x9e\x17\x6f\x47" }, /* movq 0x476f179e,%mm5 */
	{ 32, 3, "\x3e\x72\x0e" }, /* jb,pt 0x5ea1 */
	{ 32, 7, "\x0f\x95\xbb\x73\xc9\xa7\x57" }, /* setne 0x57a7c973(%ebx) */
	{ 32, 5, "\x0f\xd8\x7c\x59\x71" }, /* psubusb 0x71(%ecx,%ebx,2),%mm7 */
	{ 32, 3, "\x3e\x71\x91" }, /* jno,pt 0x99b3 */
	{ 32, 7, "\xdc\xbc\xbd\xb6\xd4\x45\x00" }, /* fdivrl 0x45d4b6(%ebp,%edi,4) */
	{ 32, 7, "\x2e\xda\xaf\xfb\x4f\x46\x37" }, /* fisubrl %cs:0x37464ffb(%edi) */
	{ 32, 7, "\xf6\xb4\xe0\xeb\xb2\x0c\xda" }, /* divb -0x25f34d15(%eax,%eiz,8) */
	{ 32, 2, "\xdb\xe2" }, /* fnclex */
	{ 32, 3, "\x0f\x61\x3e" }, /* punpcklwd (%esi),%mm7 */
	{ 32, 7, "\x0f\xb7\x9a\xac\x02\xb2\x76" }, /* movzwl 0x76b202ac(%edx),%ebx */
	{ 32, 2, "\xdb\xe3" }, /* fninit */
	{ 32, 7, "\x0f\xde\x9a\xa5\xba\xbc\x42" }, /* pmaxub 0x42bcbaa5(%edx),%mm3 */
	{ 32, 3, "\x0f\x44\xdf" }, /* cmove %edi,%ebx */
	{ 32, 7, "\xd9\x84\x8e\xd3\x53\x2c\x83" }, /* flds -0x7cd3ac2d(%esi,%ecx,4) */
	{ 32, 2, "\xd9\xf4" }, /* fxtract */
	{ 32, 7, "\xd9\xb4\x80\x55\x3c\xd3\x7b" }, /* fnstenv 0x7bd33c55(%eax,%eax,4) */
	{ 32, 7, "\x0f\x4e\xa3\x23\x62\x23\xc1" }, /* cmovle -0x3edc9ddd(%ebx),%esp */
	{ 32, 8, "\x0f\x40\xbc\xb7\x77\xef\x28\x82" }, /* cmovo -0x7dd71089(%edi,%esi,4),%edi */
	{ 32, 8, "\x0f\x53\x84\x50\x4c\x8d\x4c\x74" }, /* rcpps 0x744c8d4c(%eax,%edx,2),%xmm0 */
	{ 32, 2, "\xd9\xe5" }, /* fxam */
	{ 32, 3, "\x0f\xfb\x1b" }, /* psubq (%ebx),%mm3 */
	{ 16, 3, "\x2e\x63\xed" }, /* cs arpl %bp,%bp */
	{ 16, 1, "\x16" }, /* push %ss */
	{ 16, 1, "\x97" }, /* xchg %ax,%di */
	{ 16, 3, "\xda\x48\x72" }, /* fimull 0x72(%bx,%si) */
	{ 16, 2, "\xb6\x24" }, /* mov $0x24,%dh */
	{ 16, 3, "\x3d\x5b\x03" }, /* cmp $0x35b,%ax */
	{ 16, 1, "\xf9" }, /* stc */
	{ 16, 4, "\x84\x93\x65\x38" }, /* test %dl,0x3865(%bp,%di) */
	{ 16, 3, "\x22\x69\x6f" }, /* and 0x6f(%bx,%di),%ch */
	{ 16, 3, "\x2d\x80\x13" }, /* sub $0x1380,%ax */
	{ 16, 4, "\xde\x9c\x43\x2b" }, /* ficomps 0x2b43(%si) */
	{ 16, 1, "\x42" }, /* inc %dx */
	{ 16, 1, "\x4f" }, /* dec %di */
	{ 16, 2, "\xe6\x35" }, /* out %al,$0x35 */
	{ 16, 1, "\x5c" }, /* pop %sp */
	{ 16, 2, "\x70\x0b" }, /* jo 0x85be */
	{ 16, 1, "\x2f" }, /* das */
	{ 16, 6, "\x81\x8b\xb2\xcb\xbd\x29" }, /* orw $0x29bd,-0x344e(%bp,%di) */
	{ 16, 2, "\x0b\xd8" }, /* or %ax,%bx */
	{ 16, 4, "\xdc\xa1\x08\xfa" }, /* fsubl -0x5f8(%bx,%di) */
	{ 16, 2, "\x7c\x12" }, /* jl 0x903 */
	{ 16, 2, "\x71\xb8" }, /* jno 0xaf20 */
	{ 16, 1, "\x60" }, /* pusha */
	{ 16, 2, "\xe0\x8f" }, /* loopne 0x65dc */
	{ 16, 4, "\xf2\x68\xee\xa6" }, /* repnz push $0xa6ee */
	{ 16, 2, "\xe1\xe0" }, /* loope 0x427f */
	{ 16, 1, "\xab" }, /* stos %ax,%es:(%di) */
	{ 16, 3, "\x0f\x98\x12" }, /* sets (%bp,%si) */
	{ 16, 1, "\x9e" }, /* sahf */
	{ 16, 2, "\x11\x1f" }, /* adc %bx,(%bx) */
	{ 16, 1, "\xce" }, /* into */
	{ 16, 3, "\xdf\x67\x03" }, /* fbld 0x3(%bx) */
	{ 16, 1, "\x6e" }, /* outsb %ds:(%si),(%dx) */
	{ 16, 2, "\x62\x2b" }, /* bound %bp,(%bp,%di) */
	{ 16, 2, "\xe2\xfd" }, /* loop 0x306a */
	{ 16, 2, "\x79\x76" }, /* jns 0x7dff */
	{ 16, 1, "\x37" }, /* aaa */
	{ 16, 1, "\xcf" }, /* iret */
	{ 16, 3, "\xdd\x5c\x16" }, /* fstpl 0x16(%si) */
	{ 16, 1, "\xfb" }, /* sti */
	{ 16, 1, "\xc3" }, /* ret */
	{ 16, 3, "\x26\x7b\xc7" }, /* es jnp 0x6b23 */
	{ 16, 3, "\x8d\x43\xd6" }, /* lea -0x2a(%bp,%di),%ax */
	{ 16, 2, "\x73\xd8" }, /* jae 0x9943 */
	{ 16, 5, "\x69\x5e\xdd\xdb\xff" }, /* imul $0xffdb,-0x23(%bp),%bx */
	{ 16, 1, "\xec" }, /* in (%dx),%al */
	{ 16, 2, "\x03\xca" }, /* add %dx,%cx */
	{ 16, 1, "\xd7" }, /* xlat %ds:(%bx) */
	{ 16, 1, "\xa4" }, /* movsb %ds:(%si),%es:(%di) */
	{ 16, 3, "\x33\x63\x32" }, /* xor 0x32(%bp,%di),%sp */
	{ 16, 1, "\xad" }, /* lods %ds:(%si),%ax */
	{ 16, 2, "\xd5\x77" }, /* aad $0x77 */
	{ 16, 5, "\xea\x05\xfa\xa0\x2d" }, /* ljmp $0x2da0,$0xfa05 */
	{ 16, 2, "\x18\xe0" }, /* sbb %ah,%al */
	{ 16, 2, "\xc5\x23" }, /* lds (%bp,%di),%sp */
	{ 16, 5, "\x9a\xae\x4a\xc4\x55" }, /* lcall $0x55c4,$0x4aae */
	{ 16, 2, "\x65\xa6" }, /* cmpsb %es:(%di),%gs:(%si) */
	{ 16, 1, "\x6d" }, /* insw (%dx),%es:(%di) */
	{ 16, 4, "\x63\xb7\x46\x63" }, /* arpl %si,0x6346(%bx) */
	{ 16, 1, "\xfd" }, /* std */
	{ 16, 1, "\x6c" }, /* insb (%dx),%es:(%di) */
	{ 16, 1, "\x9d" }, /* popf */
	{ 16, 1, "\xa5" }, /* movsw %ds:(%si),%es:(%di) */
	{ 16, 4, "\xc8\x25\xd1\x26" }, /* enter $0xd125,$0x26 */
	{ 16, 2, "\xcd\x67" }, /* int $0x67 */
	{ 16, 2, "\x78\xbf" }, /* js 0xb279 */
	{ 16, 3, "\xd0\x4e\xe6" }, /* rorb -0x1a(%bp) */
	{ 16, 2, "\xd0\xf4" }, /* shl %ah */
	{ 16, 1, "\xf8" }, /* clc */
	{ 16, 2, "\x75\x66" }, /* jne 0xf13 */
	{ 16, 3, "\x67\xd5\x9d" }, /* addr32 aad $0x9d */
	{ 16, 2, "\x74\x20" }, /* je 0x47f7 */
	{ 16, 3, "\xe9\x51\x5a" }, /* jmp 0xac3a */
	{ 16, 2, "\xff\x0f" }, /* decw (%bx) */
	{ 16, 2, "\x7e\x7d" }, /* jle 0xdda0 */
	{ 16, 2, "\xd8\xfc" }, /* fdivr %st(4),%st */
	{ 16, 2, "\xd4\x89" }, /* aam $0x89 */
	{ 16, 1, "\xa7" }, /* cmpsw %es:(%di),%ds:(%si) */
	{ 16, 2, "\x7f\x6c" }, /* jg 0x899 */
	{ 16, 1, "\xfa" }, /* cli */
	{ 16, 1, "\xaf" }, /* scas %es:(%di),%ax */
	{ 16, 4, "\x83\x72\x25\xcd" }, /* xorw $0xffcd,0x25(%bp,%si) */
	{ 16, 3, "\xf7\x68\x30" }, /* imulw 0x30(%bx,%si) */
	{ 16, 1, "\xf4" }, /* hlt */
	{ 16, 2, "\x65\x17" }, /* gs pop %ss */
	{ 16, 1, "\x9c" }, /* pushf */
	{ 16, 1, "\x6f" }, /* outsw %ds:(%si),(%dx) */
	{ 16, 2, "\x77\xd8" }, /* ja 0x4399 */
	{ 16, 5, "\xc1\x8c\x56\x94\x64" }, /* rorw $0x64,-0x6baa(%si) */
	{ 16, 1, "\x99" }, /* cwtd */
	{ 16, 1, "\x27" }, /* daa */
	{ 16, 2, "\x7d\x66" }, /* jge 0x21bd */
	{ 16, 1, "\xf5" }, /* cmc */
	{ 16, 1, "\x90" }, /* nop */
	{ 16, 2, "\xdc\xe6" }, /* fsub %st,%st(6) */
	{ 16, 5, "\x80\x99\xa3\x9f\x12" }, /* sbbb $0x12,-0x605d(%bx,%di) */
	{ 16, 4, "\xdb\x9e\x11\x63" }, /* fistpl 0x6311(%bp) */
	{ 16, 3, "\xc1\x19\x8f" }, /* rcrw $0x8f,(%bx,%di) */
	{ 16, 2, "\xd2\x1c" }, /* rcrb %cl,(%si) */
	{ 16, 2, "\x72\x71" }, /* jb 0x3c5e */
	{ 16, 2, "\x76\x96" }, /* jbe 0x7c8a */
	{ 16, 2, "\xd3\x00" }, /* rolw %cl,(%bx,%si) */
	{ 16, 2, "\x7b\x1a" }, /* jnp 0x8b40 */
	{ 16, 5, "\x83\x2e\x4b\x47\xfd" }, /* subw $0xfffd,0x474b */
	{ 16, 1, "\xcb" }, /* lret */
	{ 16, 4, "\x36\xca\xb9\xa6" }, /* ss lret $0xa6b9 */
	{ 16, 1, "\x3f" }, /* aas */
	{ 16, 4, "\xc4\x86\x56\xcc" }, /* les -0x33aa(%bp),%ax */
	{ 16, 1, "\x9f" }, /* lahf */
	{ 16, 3, "\xe8\x78\x43" }, /* call 0x48fc */
	{ 16, 2, "\xd0\xc2" }, /* rol %dl */
	{ 16, 4, "\xc7\x01\x34\xf2" }, /* movw $0xf234,(%bx,%di) */
	{ 16, 2, "\xd9\x04" }, /* flds (%si) */
	{ 16, 1, "\x98" }, /* cbtw */
	{ 16, 2, "\xd9\xc1" }, /* fld %st(1) */
	{ 16, 3, "\x66\x7f\x78" }, /* data32 jg 0x34ef */
	{ 16, 5, "\xc1\xa4\x2a\x05\x5a" }, /* shlw $0x5a,0x52a(%si) */
	{ 16, 1, "\xf1" }, /* int1 */
	{ 16, 3, "\x3e\x63\xc3" }, /* ds arpl %ax,%bx */
	{ 16, 2, "\xe3\x88" }, /* jcxz 0x727e */
	{ 16, 2, "\xfe\x0c" }, /* decb (%si) */
	{ 16, 3, "\xdc\x7e\x71" }, /* fdivrl 0x71(%bp) */
	{ 16, 4, "\x80\x56\xf6\x4f" }, /* adcb $0x4f,-0xa(%bp) */
	{ 16, 4, "\x81\x12\xac\xee" }, /* adcw $0xeeac,(%bp,%si) */
	{ 16, 2, "\xde\x0a" }, /* fimuls (%bp,%si) */
	{ 16, 2, "\x7a\x12" }, /* jp 0x8187 */
	{ 16, 2, "\xda\x34" }, /* fidivl (%si) */
	{ 16, 2, "\xd8\x19" }, /* fcomps (%bx,%di) */
	{ 16, 1, "\xcc" }, /* int3 */
	{ 16, 3, "\xd0\x62\x4c" }, /* shlb 0x4c(%bp,%si) */
	{ 16, 4, "\x0f\x9e\x49\xb6" }, /* setle -0x4a(%bx,%di) */
	{ 16, 5, "\x83\x87\x20\xd7\x97" }, /* addw $0xff97,-0x28e0(%bx) */
	{ 16, 6, "\xf7\x8c\xe6\x0f\x5c\xe3" }, /* testw $0xe35c,0xfe6(%si) */
	{ 16, 4, "\xdf\xb1\x44\x5d" }, /* fbstp 0x5d44(%bx,%di) */
	{ 16, 4, "\xdc\xb4\xd2\x77" }, /* fdivl 0x77d2(%si) */
	{ 16, 3, "\xd2\x7f\x82" }, /* sarb %cl,-0x7e(%bx) */
	{ 16, 2, "\xd0\x2a" }, /* shrb (%bp,%si) */
	{ 16, 1, "\xc9" }, /* leave */
	{ 16, 4, "\xdc\x99\xc2\x3d" }, /* fcompl 0x3dc2(%bx,%di) */
	{ 16, 4, "\xde\x92\x2e\x3c" }, /* ficoms 0x3c2e(%bp,%si) */
	{ 16, 1, "\x61" }, /* popa */
	{ 16, 2, "\xd9\x24" }, /* fldenv (%si) */
	{ 16, 2, "\xf7\xd4" }, /* not %sp */
	{ 16, 5, "\x0f\x2f\xbb\x4c\x0f" }, /* comiss 0xf4c(%bp,%di),%xmm7 */
	{ 16, 4, "\xdf\x16\x2b\x75" }, /* fists 0x752b */
	{ 16, 3, "\x64\x75\x12" }, /* fs jne 0x2842 */
	{ 16, 3, "\xc0\xfc\x23" }, /* sar $0x23,%ah */
	{ 16, 2, "\xdb\xc5" }, /* fcmovnb %st(5),%st */
	{ 16, 2, "\xd9\x11" }, /* fsts (%bx,%di) */
	{ 16, 4, "\xdc\xa9\x8b\x1e" }, /* fsubrl 0x1e8b(%bx,%di) */
	{ 16, 3, "\xda\x5a\x24" }, /* ficompl 0x24(%bp,%si) */
	{ 16, 3, "\xdc\x4b\x9f" }, /* fmull -0x61(%bp,%di) */
	{ 16, 3, "\xc1\xd3\xcc" }, /* rcl $0xcc,%bx */
	{ 16, 1, "\xfc" }, /* cld */
	{ 16, 3, "\xff\x47\x4b" }, /* incw 0x4b(%bx) */
	{ 16, 3, "\xdb\x52\x94" }, /* fistl -0x6c(%bp,%si) */
	{ 16, 3, "\x0f\xe9\xcf" }, /* psubsw %mm7,%mm1 */
	{ 16, 3, "\x3e\xff\xd0" }, /* notrack call *%ax */
	{ 16, 2, "\xda\xc1" }, /* fcmovb %st(1),%st */
	{ 16, 4, "\x83\x7b\x7e\x15" }, /* cmpw $0x15,0x7e(%bp,%di) */
	{ 16, 3, "\xf3\x7b\xb5" }, /* repz jnp 0xe513 */
	{ 16, 4, "\xd8\xb9\xa1\x19" }, /* fdivrs 0x19a1(%bx,%di) */
	{ 16, 4, "\xde\x36\x89\x4a" }, /* fidivs 0x4a89 */
	{ 16, 3, "\xf6\x71\xb2" }, /* divb -0x4e(%bx,%di) */
	{ 16, 2, "\xde\x2d" }, /* fisubrs (%di) */
	{ 16, 4, "\xf6\xa9\x16\x1b" }, /* imulb 0x1b16(%bx,%di) */
	{ 16, 4, "\x83\x5d\x8c\xbd" }, /* sbbw $0xffbd,-0x74(%di) */
	{ 16, 3, "\x80\x37\x5d" }, /* xorb $0x5d,(%bx) */
	{ 16, 4, "\xdf\x1e\xc9\xac" }, /* fistps -0x5337 */
	{ 16, 3, "\x82\x3a\xdb" }, /* cmpb $0xdb,(%bp,%si) */
	{ 16, 2, "\xdb\xe9" }, /* fucomi %st(1),%st */
	{ 16, 4, "\xd1\xaa\x9c\x2a" }, /* shrw 0x2a9c(%bp,%si) */
	{ 16, 4, "\xf7\x95\xca\x3f" }, /* notw 0x3fca(%di) */
	{ 16, 3, "\xdc\x51\x68" }, /* fcoml 0x68(%bx,%di) */
	{ 16, 2, "\xf7\x25" }, /* mulw (%di) */
	{ 16, 3, "\xdc\x40\xb9" }, /* faddl -0x47(%bx,%si) */
	{ 16, 3, "\xdf\x6b\x56" }, /* fildll 0x56(%bp,%di) */
	{ 16, 4, "\xdd\xb8\xd8\x0f" }, /* fnstsw 0xfd8(%bx,%si) */
	{ 16, 5, "\x80\xa5\x09\xc7\x3b" }, /* andb $0x3b,-0x38f7(%di) */
	{ 16, 4, "\xd1\x94\xee\x13" }, /* rclw 0x13ee(%si) */
	{ 16, 2, "\xf7\xf4" }, /* div %sp */
	{ 16, 2, "\xd0\x11" }, /* rclb (%bx,%di) */
	{ 16, 2, "\xf7\x3d" }, /* idivw (%di) */
	{ 16, 4, "\xd9\xbc\x59\xfa" }, /* fnstcw -0x5a7(%si) */
	{ 16, 2, "\xf6\x1c" }, /* negb (%si) */
	{ 16, 4, "\x80\x69\x75\x5c" }, /* subb $0x5c,0x75(%bx,%di) */
	{ 16, 5, "\x80\x86\xc0\x43\xa6" }, /* addb $0xa6,0x43c0(%bp) */
	{ 16, 2, "\xd9\xf4" }, /* fxtract */
	{ 16, 2, "\x66\xcf" }, /* iretl */
	{ 16, 2, "\xda\x3b" }, /* fidivrl (%bp,%di) */
	{ 16, 4, "\xdf\x8b\xc3\x94" }, /* fisttps -0x6b3d(%bp,%di) */
	{ 16, 3, "\xd8\x45\x86" }, /* fadds -0x7a(%di) */
	{ 16, 3, "\xdd\x57\x47" }, /* fstl 0x47(%bx) */
	{ 16, 2, "\xde\xfc" }, /* fdivrp %st,%st(4) */
	{ 16, 2, "\xdb\xf2" }, /* fcomi %st(2),%st */
	{ 16, 4, "\xde\x87\xa4\xad" }, /* fiadds -0x525c(%bx) */
	{ 16, 5, "\xf6\x80\xdf\x1a\x97" }, /* testb $0x97,0x1adf(%bx,%si) */
	{ 16, 2, "\xdb\x3a" }, /* fstpt (%bp,%si) */
	{ 16, 5, "\x81\x61\x1c\x9c\xa4" }, /* andw $0xa49c,0x1c(%bx,%di) */
	{ 16, 2, "\xdd\xef" }, /* fucomp %st(7) */
	{ 16, 5, "\xf3\x86\x99\xf2\x2f" }, /* xrelease xchg %bl,0x2ff2(%bx,%di) */
	{ 16, 2, "\xdd\x0a" }, /* fisttpll (%bp,%si) */
	{ 16, 2, "\xf7\xf9" }, /* idiv %cx */
	{ 16, 3, "\xdf\x7d\x47" }, /* fistpll 0x47(%di) */
	{ 16, 3, "\xf2\x79\x12" }, /* bnd jns 0x8c46 */
	{ 16, 2, "\x66\x06" }, /* pushl %es */
	{ 16, 3, "\xd3\x7b\xe2" }, /* sarw %cl,-0x1e(%bp,%di) */
	{ 16, 3, "\xd8\x55\x17" }, /* fcoms 0x17(%di) */
	{ 16, 2, "\xdb\x0a" }, /* fisttpl (%bp,%si) */
	{ 16, 4, "\xfe\x81\xea\xad" }, /* incb -0x5216(%bx,%di) */
	{ 16, 8, "\x67\xc6\x87\x72\x5a\x14\xa5\x5c" }, /* movb $0x5c,-0x5aeba58e(%edi) */
	{ 16, 2, "\xdb\xd2" }, /* fcmovnbe %st(2),%st */
	{ 16, 4, "\xf6\x3e\x49\x93" }, /* idivb -0x6cb7 */
	{ 16, 3, "\x80\x0a\x4f" }, /* orb $0x4f,(%bp,%si) */
	{ 16, 2, "\xd8\x0b" }, /* fmuls (%bp,%di) */
	{ 16, 4, "\xd2\x87\x70\x9c" }, /* rolb %cl,-0x6390(%bx) */
	{ 16, 4, "\xd9\x9e\xe1\xbd" }, /* fstps -0x421f(%bp) */
	{ 16, 2, "\xde\xe8" }, /* fsubrp %st,%st(0) */
	{ 16, 4, "\x0f\xd1\x54\x8b" }, /* psrlw -0x75(%si),%mm2 */
	{ 16, 3, "\x36\xda\x12" }, /* ficoml %ss:(%bp,%si) */
	{ 16, 2, "\x0f\x30" }, /* wrmsr */
	{ 16, 2, "\xd8\xf0" }, /* fdiv %st(0),%st */
	{ 16, 3, "\xdb\x6f\xf4" }, /* fldt -0xc(%bx) */
	{ 16, 3, "\x0f\xda\xde" }, /* pminub %mm6,%mm3 */
	{ 16, 5, "\x0f\x58\x8a\x73\xf5" }, /* addps -0xa8d(%bp,%si),%xmm1 */
	{ 16, 3, "\xf6\x54\xe3" }, /* notb -0x1d(%si) */
	{ 16, 4, "\xda\xa2\x9a\x0a" }, /* fisubl 0xa9a(%bp,%si) */
	{ 16, 9, "\x67\x36\x29\x9c\x35\xf9\xe6\x45\x1a" }, /* sub %bx,%ss:0x1a45e6f9(%ebp,%esi,1) */
	{ 16, 3, "\xf7\x72\xa5" }, /* divw -0x5b(%bp,%si) */
	{ 16, 4, "\xd9\xb2\xb0\x24" }, /* fnstenv 0x24b0(%bp,%si) */
	{ 16, 4, "\xd9\xa9\x2d\xc3" }, /* fldcw -0x3cd3(%bx,%di) */
	{ 16, 2, "\xd3\xc9" }, /* ror %cl,%cx */
	{ 16, 2, "\x0f\x34" }, /* sysenter */
	{ 16, 3, "\xdb\x46\x2d" }, /* fildl 0x2d(%bp) */
	{ 16, 2, "\xdf\xf6" }, /* fcomip %st(6),%st */
	{ 16, 2, "\xd8\xd9" }, /* fcomp %st(1) */
	{ 16, 2, "\xd1\xdd" }, /* rcr %bp */
	{ 16, 2, "\xdc\xe9" }, /* fsubr %st,%st(1) */
	{ 16, 2, "\xf7\x19" }, /* negw (%bx,%di) */
	{ 16, 2, "\xd8\xc5" }, /* fadd %st(5),%st */
	{ 16, 4, "\xf6\xa2\xbd\x39" }, /* mulb 0x39bd(%bp,%si) */
	{ 16, 3, "\x0f\xed\x32" }, /* paddsw (%bp,%si),%mm6 */
	{ 16, 2, "\xdb\xdc" }, /* fcmovnu %st(4),%st */
	{ 16, 2, "\xde\x3b" }, /* fidivrs (%bp,%di) */
	{ 16, 3, "\x3e\x7a\x4a" }, /* jp,pt 0x32e7 */
	{ 16, 4, "\x0f\xbd\x56\x6a" }, /* bsr 0x6a(%bp),%dx */
	{ 16, 4, "\x0f\xe2\x4f\x54" }, /* psrad 0x54(%bx),%mm1 */
	{ 16, 2, "\xd8\xc8" }, /* fmul %st(0),%st */
	{ 16, 3, "\x0f\xbc\xcc" }, /* bsf %sp,%cx */
	{ 16, 4, "\xdd\xa1\xe7\x90" }, /* frstor -0x6f19(%bx,%di) */
	{ 16, 4, "\xd8\xa4\x36\x7c" }, /* fsubs 0x7c36(%si) */
	{ 16, 7, "\x66\x81\xff\x61\x98\x92\x6f" }, /* cmp $0x6f929861,%edi */
	{ 16, 5, "\x66\xc8\xb2\xc1\xab" }, /* enterl $0xc1b2,$0xab */
	{ 16, 3, "\x67\xe3\xd3" }, /* jecxz 0x8b24 */
	{ 16, 2, "\xd1\xe9" }, /* shr %cx */
	{ 16, 2, "\xde\xe4" }, /* fsubp %st,%st(4) */
	{ 16, 2, "\xdf\x03" }, /* filds (%bp,%di) */
	{ 16, 2, "\x66\xcb" }, /* lretl */
	{ 16, 2, "\xde\xf3" }, /* fdivp %st,%st(3) */
	{ 16, 5, "\xc6\x82\x01\xd9\x4c" }, /* movb $0x4c,-0x26ff(%bp,%si) */
	{ 16, 2, "\xdd\x05" }, /* fldl (%di) */
	{ 16, 2, "\xf3\xa5" }, /* rep movsw %ds:(%si),%es:(%di) */
	{ 16, 2, "\xdd\xdd" }, /* fstp %st(5) */
	{ 16, 3, "\x3e\x78\x1a" }, /* js,pt 0x76bf */
	{ 16, 2, "\xdd\xc5" }, /* ffree %st(5) */
	{ 16, 4, "\x0f\xc4\x39\x23" }, /* pinsrw $0x23,(%bx,%di),%mm7 */
	{ 16, 6, "\x0f\xac\xbe\xf0\x1a\x8f" }, /* shrd $0x8f,%di,0x1af0(%bp) */
	{ 16, 3, "\x0f\x99\x1b" }, /* setns (%bp,%di) */
	{ 16, 2, "\xf7\xde" }, /* neg %si */
	{ 16, 5, "\x0f\x4b\x8e\x28\x36" }, /* cmovnp 0x3628(%bp),%cx */
	{ 16, 3, "\x0f\xd7\xc2" }, /* pmovmskb %mm2,%eax */
	{ 16, 3, "\x0f\xfa\xf7" }, /* psubd %mm7,%mm6 */
	{ 16, 2, "\xde\x22" }, /* fisubs (%bp,%si) */
	{ 16, 5, "\x0f\xc1\xb9\x19\x54" }, /* xadd %di,0x5419(%bx,%di) */
	{ 16, 3, "\x0f\xa3\x12" }, /* bt %dx,(%bp,%si) */
	{ 16, 4, "\xd8\x36\x32\x59" }, /* fdivs 0x5932 */
	{ 16, 4, "\xd8\xa9\x15\x4b" }, /* fsubrs 0x4b15(%bx,%di) */
	{ 16, 7, "\x67\xd2\x97\x29\xc9\xc5\x5c" }, /* rclb %cl,0x5cc5c929(%edi) */
	{ 16, 5, "\x0f\x6f\xae\xda\x01" }, /* movq 0x1da(%bp),%mm5 */
	{ 16, 3, "\x67\xe0\x26" }, /* loopnel 0x3cf1 */
	{ 16, 5, "\x0f\x2a\x0e\xd8\x01" }, /* cvtpi2ps 0x1d8,%xmm1 */
	{ 16, 4, "\x0f\xd8\x58\x68" }, /* psubusb 0x68(%bx,%si),%mm3 */
	{ 16, 5, "\x0f\x96\xbf\x55\xb9" }, /* setbe -0x46ab(%bx) */
	{ 16, 2, "\xf6\xe2" }, /* mul %dl */
	{ 16, 3, "\x3e\x7c\x0a" }, /* jl,pt 0xd327 */
	{ 16, 2, "\xdd\xd4" }, /* fst %st(4) */
	{ 16, 4, "\xdd\xb6\x8e\x76" }, /* fnsave 0x768e(%bp) */
	{ 16, 2, "\xde\xce" }, /* fmulp %st,%st(6) */
	{ 16, 7, "\x3e\x36\x80\xa6\xe7\x4e\x3a" }, /* ds andb $0x3a,%ss:0x4ee7(%bp) */
	{ 16, 4, "\x0f\x95\x7b\x14" }, /* setne 0x14(%bp,%di) */
	{ 16, 3, "\x2e\xe1\xfd" }, /* loope,pn 0xfac */
	{ 16, 3, "\x3e\x73\x59" }, /* jae,pt 0x737c */
	{ 16, 8, "\x66\x9a\x10\x61\xb8\x61\xb3\x4d" }, /* lcalll $0x4db3,$0x61b86110 */
	{ 16, 2, "\x0f\xc8" }, /* bswap %ax */
	{ 16, 2, "\xda\xd1" }, /* fcmovbe %st(1),%st */
	{ 16, 2, "\xdb\xe3" }, /* fninit */
	{ 16, 5, "\x0f\xf1\x8d\x04\x33" }, /* psllw 0x3304(%di),%mm1 */
	{ 16, 3, "\x3e\xe1\x8b" }, /* loope,pt 0x259b */
	{ 16, 7, "\x67\xc5\x88\x98\xa5\x01\x37" }, /* lds 0x3701a598(%eax),%cx */
	{ 16, 2, "\xdb\xce" }, /* fcmovne %st(6),%st */
	{ 16, 2, "\x66\x07" }, /* popl %es */
	{ 16, 2, "\x66\x61" }, /* popal */
	{ 16, 3, "\x0f\xe0\x25" }, /* pavgb (%di),%mm4 */
	{ 16, 3, "\x0f\xe8\x39" }, /* psubsb (%bx,%di),%mm7 */
	{ 16, 4, "\x0f\x16\x6e\x33" }, /* movhps 0x33(%bp),%xmm5 */
	{ 16, 8, "\x2e\x67\x8a\x35\xc8\x0d\x11\xab" }, /* addr32 mov %cs:0xab110dc8,%dh */
	{ 16, 5, "\x0f\xb1\x81\x43\xf7" }, /* cmpxchg %ax,-0x8bd(%bx,%di) */
	{ 16, 5, "\x0f\xe5\xbf\x5e\x94" }, /* pmulhw -0x6ba2(%bx),%mm7 */
	{ 16, 2, "\xda\xcb" }, /* fcmove %st(3),%st */
	{ 16, 3, "\x0f\x63\xfc" }, /* packsswb %mm4,%mm7 */
	{ 16, 3, "\x3e\x76\x20" }, /* jbe,pt 0xbb7f */
	{ 16, 2, "\xd9\xf7" }, /* fincstp */
	{ 16, 2, "\xdf\xc1" }, /* ffreep %st(1) */
	{ 16, 5, "\x0f\xde\x8c\xed\xe5" }, /* pmaxub -0x1a13(%si),%mm1 */
	{ 16, 6, "\x66\x83\xab\x91\xd4\xf5" }, /* subl $0xfffffff5,-0x2b6f(%bp,%di) */
	{ 16, 3, "\xf2\x86\x20" }, /* xacquire xchg %ah,(%bx,%si) */
	{ 16, 4, "\x0f\x90\x66\x90" }, /* seto -0x70(%bp) */
	{ 16, 3, "\x0f\x13\x2c" }, /* movlps %xmm5,(%si) */
	{ 16, 3, "\x0f\x54\xc8" }, /* andps %xmm0,%xmm1 */
	{ 16, 2, "\xdf\xec" }, /* fucomip %st(4),%st */
	{ 16, 2, "\x66\x9c" }, /* pushfl */
	{ 16, 3, "\xda\x6d\x04" }, /* fisubrl 0x4(%di) */
	{ 16, 5, "\x0f\x4d\xb3\x5e\xe0" }, /* cmovge -0x1fa2(%bp,%di),%si */
	{ 16, 2, "\xd8\xd5" }, /* fcom %st(5) */
	{ 16, 7, "\x67\xd8\xb9\x02\x67\x31\x2f" }, /* fdivrs 0x2f316702(%ecx) */
	{ 16, 2, "\xd9\xf1" }, /* fyl2x */
	{ 16, 2, "\x0f\x32" }, /* rdmsr */
	{ 16, 5, "\x0f\xee\xbc\xf6\xbe" }, /* pmaxsw -0x410a(%si),%mm7 */
	{ 16, 2, "\x66\x6f" }, /* outsl %ds:(%si),(%dx) */
	{ 16, 3, "\x3e\x75\x9d" }, /* jne,pt 0x850b */
	{ 16, 3, "\x0f\xbf\xc8" }, /* movsww %ax,%cx */
	{ 16, 6, "\x0f\xc6\x95\x8e\x65\x7a" }, /* shufps $0x7a,0x658e(%di),%xmm2 */
	{ 16, 3, "\xda\x47\x87" }, /* fiaddl -0x79(%bx) */
	{ 16, 3, "\x0f\xf3\x12" }, /* psllq (%bp,%si),%mm2 */
	{ 16, 3, "\x3e\xe0\x2c" }, /* loopne,pt 0x89eb */
	{ 16, 2, "\xd9\xcf" }, /* fxch %st(7) */
	{ 16, 3, "\x0f\x01\xcf" }, /* encls */
	{ 16, 5, "\x0f\x4a\xb2\x57\x7a" }, /* cmovp 0x7a57(%bp,%si),%si */
	{ 16, 2, "\xda\xdb" }, /* fcmovu %st(3),%st */
	{ 16, 4, "\x0f\x1c\x63\x12" }, /* nopw 0x12(%bp,%di) */
	{ 16, 3, "\x0f\xb9\x25" }, /* ud1 (%di),%sp */
	{ 16, 2, "\x0f\x09" }, /* wbinvd */
	{ 16, 8, "\x67\xda\x8c\xda\xc5\x7e\x07\x97" }, /* fimull -0x68f8813b(%edx,%ebx,8) */
	{ 16, 7, "\x67\x22\xb5\xbc\xac\x04\x97" }, /* and -0x68fb5344(%ebp),%dh */
	{ 16, 3, "\x2e\x72\x48" }, /* jb,pn 0x6756 */
	{ 16, 3, "\x3e\x74\x01" }, /* je,pt 0x534f */
	{ 16, 3, "\x0f\x9a\x00" }, /* setp (%bx,%si) */
	{ 16, 2, "\xd9\xed" }, /* fldln2 */
	{ 16, 4, "\x0f\xd9\x6e\x75" }, /* psubusw 0x75(%bp),%mm5 */
	{ 16, 3, "\x2e\x74\xd6" }, /* je,pn 0xc81f */
	{ 16, 3, "\x2e\x79\x5f" }, /* jns,pn 0xd578 */
	{ 16, 5, "\x0f\x4f\xa3\xe6\x02" }, /* cmovg 0x2e6(%bp,%di),%sp */
	{ 16, 2, "\xd9\xfe" }, /* fsin */
	{ 16, 2, "\xd9\xfc" }, /* frndint */
	{ 16, 2, "\xd9\xe1" }, /* fabs */
	{ 16, 2, "\xd9\xeb" }, /* fldpi */
	{ 16, 3, "\x0f\x5d\xd9" }, /* minps %xmm1,%xmm3 */
	{ 16, 2, "\xd9\xfb" }, /* fsincos */
	{ 16, 3, "\x0f\x60\x11" }, /* punpcklbw (%bx,%di),%mm2 */
	{ 16, 2, "\xde\xc2" }, /* faddp %st,%st(2) */
	{ 16, 4, "\x0f\x69\x64\xc2" }, /* punpckhwd -0x3e(%si),%mm4 */
	{ 16, 3, "\x0f\xf6\xde" }, /* psadbw %mm6,%mm3 */
	{ 16, 3, "\x2e\x70\x8a" }, /* jo,pn 0xab0f */
	{ 16, 5, "\x0f\x14\x98\x15\x8e" }, /* unpcklps -0x71eb(%bx,%si),%xmm3 */
	{ 16, 2, "\xdb\xe5" }, /* frstpm(287 only) */
	{ 16, 3, "\x66\xd1\x3c" }, /* sarl (%si) */
	{ 16, 3, "\x67\xe2\x89" }, /* loopl 0x8f25 */
	{ 16, 7, "\x67\xda\xa9\x23\x15\xaa\x33" }, /* fisubrl 0x33aa1523(%ecx) */
	{ 16, 2, "\xd9\xea" }, /* fldl2e */
	{ 16, 2, "\x0f\x31" }, /* rdtsc */
	{ 16, 6, "\x66\xe8\x91\xca\x24\x52" }, /* calll 0x522523a0 */
	{ 16, 5, "\x0f\x49\xa9\x51\xf6" }, /* cmovns -0x9af(%bx,%di),%bp */
	{ 16, 3, "\x3e\x7f\xf8" }, /* jg,pt 0x2df5 */
	{ 16, 4, "\x0f\xd2\x54\x69" }, /* psrld 0x69(%si),%mm2 */
	{ 16, 5, "\x0f\xf4\x9a\x20\xc5" }, /* pmuludq -0x3ae0(%bp,%si),%mm3 */
	{ 16, 3, "\x0f\x97\xfb" }, /* seta %bl */
	{ 16, 3, "\x0f\x67\xff" }, /* packuswb %mm7,%mm7 */
	{ 16, 3, "\x3e\x70\x32" }, /* jo,pt 0x3120 */
	{ 16, 5, "\x0f\x6a\xbc\x0d\x43" }, /* punpckhdq 0x430d(%si),%mm7 */
	{ 16, 4, "\xc7\xf8\x63\x83" }, /* xbegin 0xb6e2 */
	{ 16, 2, "\x66\x60" }, /* pushal */
	{ 16, 2, "\xd9\xee" }, /* fldz */
	{ 16, 2, "\xd9\xe9" }, /* fldl2t */
	{ 16, 3, "\x3e\x77\x81" }, /* ja,pt 0xd5a2 */
	{ 16, 8, "\x65\x67\xd2\xb1\xbe\x73\x1a\x57" }, /* shlb %cl,%gs:0x571a73be(%ecx) */
	{ 16, 3, "\x0f\x40\xdb" }, /* cmovo %bx,%bx */
	{ 16, 6, "\x66\x83\x83\xcb\x00\xa8" }, /* addl $0xffffffa8,0xcb(%bp,%di) */
	{ 16, 2, "\xdb\xe4" }, /* fnsetpm(287 only) */
	{ 16, 2, "\xdd\xe1" }, /* fucom %st(1) */
	{ 16, 5, "\x0f\xf8\xbb\x88\x6e" }, /* psubb 0x6e88(%bp,%di),%mm7 */
	{ 16, 2, "\xd9\xf2" }, /* fptan */
	{ 16, 3, "\x0f\x5b\x0c" }, /* cvtdq2ps (%si),%xmm1 */
	{ 16, 3, "\x2e\x7a\xeb" }, /* jp,pn 0x6a41 */
	{ 16, 3, "\x3e\x72\x9d" }, /* jb,pt 0x9649 */
	{ 16, 3, "\x2e\x76\x09" }, /* jbe,pn 0x8650 */
	{ 16, 8, "\x66\xea\xe1\x48\xbe\x64\x28\x1e" }, /* ljmpl $0x1e28,$0x64be48e1 */
	{ 16, 7, "\x67\x1a\xaa\xcb\xd1\xe9\xa4" }, /* sbb -0x5b162e35(%edx),%ch */
	{ 16, 4, "\x0f\xc3\x57\x6c" }, /* movnti %edx,0x6c(%bx) */
	{ 16, 5, "\x66\xd9\xb0\xf0\x37" }, /* fnstenvl 0x37f0(%bx,%si) */
	{ 16, 5, "\x0f\xfc\xbf\x13\xbf" }, /* paddb -0x40ed(%bx),%mm7 */
	{ 16, 4, "\x0f\x6b\x74\x15" }, /* packssdw 0x15(%si),%mm6 */
	{ 16, 3, "\x0f\x6e\x1f" }, /* movd (%bx),%mm3 */
	{ 16, 3, "\x0f\xd4\x04" }, /* paddq (%si),%mm0 */
	{ 16, 5, "\x0f\x51\xa7\xd7\x9a" }, /* sqrtps -0x6529(%bx),%xmm4 */
	{ 16, 7, "\x67\x30\x92\x53\x41\xc5\xf3" }, /* xor %dl,-0xc3abead(%edx) */
	{ 16, 2, "\x0f\x37" }, /* getsec */
	{ 16, 3, "\x0f\x59\xf6" }, /* mulps %xmm6,%xmm6 */
	{ 16, 5, "\x0f\x4e\x95\xe5\xa6" }, /* cmovle -0x591b(%di),%dx */
	{ 16, 5, "\x66\xf7\x9f\x87\xd1" }, /* negl -0x2e79(%bx) */
	{ 16, 4, "\x0f\xb7\x5d\x1b" }, /* movzww 0x1b(%di),%bx */
	{ 16, 3, "\x3e\x7b\x6a" }, /* jnp,pt 0x1574 */
	{ 16, 3, "\x2e\x7d\x14" }, /* jge,pn 0x67e2 */
	{ 16, 6, "\x0f\xc2\x95\x9a\xdf\xe5" }, /* cmpps $0xe5,-0x2066(%di),%xmm2 */
	{ 16, 2, "\xdb\xe0" }, /* fneni(8087 only) */
	{ 16, 2, "\xd9\xe8" }, /* fld1 */
	{ 16, 7, "\xf3\x81\xb8\xb0\x75\xad\x82" }, /* repz cmpw $0x82ad,0x75b0(%bx,%si) */
	{ 16, 5, "\x0f\xae\xb8\x59\x84" }, /* clflush -0x7ba7(%bx,%si) */
	{ 16, 3, "\x0f\xe1\xd7" }, /* psraw %mm7,%mm2 */
	{ 16, 3, "\x0f\x92\x11" }, /* setb (%bx,%di) */
	{ 16, 3, "\x0f\xab\xe7" }, /* bts %sp,%di */
	{ 16, 5, "\x0f\xbb\x9a\xee\xfd" }, /* btc %bx,-0x212(%bp,%si) */
	{ 16, 4, "\x0f\x4c\x44\x75" }, /* cmovl 0x75(%si),%ax */
	{ 16, 2, "\xd9\xf0" }, /* f2xm1 */
	{ 16, 3, "\x0f\x28\xf7" }, /* movaps %xmm7,%xmm6 */
	{ 16, 3, "\x67\xe1\xc2" }, /* loopel 0x35d1 */
	{ 16, 2, "\xd9\xe5" }, /* fxam */
	{ 16, 3, "\x0f\xb4\x20" }, /* lfs (%bx,%si),%sp */
	{ 16, 2, "\x66\xa5" }, /* movsl %ds:(%si),%es:(%di) */
	{ 16, 3, "\x0f\x44\xd0" }, /* cmove %ax,%dx */
	{ 16, 2, "\xd9\xf8" }, /* fprem */
	{ 16, 2, "\x0f\x06" }, /* clts */
	{ 16, 3, "\x0f\x5e\x3b" }, /* divps (%bp,%di),%xmm7 */
	{ 16, 5, "\x0f\xf9\x16\x47\xcf" }, /* psubw -0x30b9,%mm2 */
	{ 16, 2, "\xda\xe9" }, /* fucompp */
	{ 16, 3, "\x2e\xe2\xa1" }, /* loop,pn 0x8787 */
	{ 16, 4, "\x66\xd3\x67\xeb" }, /* shll %cl,-0x15(%bx) */
	{ 16, 3, "\x2e\x7c\x1c" }, /* jl,pn 0xba46 */
	{ 16, 3, "\x3e\xe2\xe0" }, /* loop,pt 0xc8b3 */
	{ 16, 3, "\x3e\x71\x88" }, /* jno,pt 0x2291 */
	{ 16, 4, "\x0f\x68\x41\x8e" }, /* punpckhbw -0x72(%bx,%di),%mm0 */
	{ 16, 3, "\x0f\xf2\xe4" }, /* pslld %mm4,%mm4 */
	{ 16, 3, "\x0f\x9d\xd4" }, /* setge %ah */
	{ 16, 2, "\xd9\xfd" }, /* fscale */
	{ 16, 3, "\x0f\x2d\x15" }, /* cvtps2pi (%di),%mm2 */
	{ 16, 7, "\x67\x0a\x9e\x29\x88\x05\x9c" }, /* or -0x63fa77d7(%esi),%bl */
	{ 16, 2, "\x0f\xaa" }, /* rsm */
	{ 16, 2, "\x0f\x0b" }, /* ud2 */
	{ 16, 7, "\x36\x65\x81\x49\x57\x17\x62" }, /* ss orw $0x6217,%gs:0x57(%bx,%di) */
	{ 16, 7, "\x67\x8c\x89\xa5\xec\x63\x3e" }, /* mov %cs,0x3e63eca5(%ecx) */
	{ 16, 4, "\x0f\xef\x43\x81" }, /* pxor -0x7f(%bp,%di),%mm0 */
	{ 16, 2, "\xd9\xf6" }, /* fdecstp */
	{ 16, 4, "\x0f\x74\x4c\x76" }, /* pcmpeqb 0x76(%si),%mm1 */
	{ 16, 3, "\x2e\x71\x53" }, /* jno,pn 0xb47 */
	{ 16, 3, "\x0f\xdb\x28" }, /* pand (%bx,%si),%mm5 */
	{ 16, 2, "\xde\xd9" }, /* fcompp */
	{ 16, 7, "\x67\xd1\xbe\x76\x80\xb7\x6a" }, /* sarw 0x6ab78076(%esi) */
	{ 16, 3, "\x0f\xff\x12" }, /* ud0 (%bp,%si),%dx */
	{ 16, 2, "\xdb\xe2" }, /* fnclex */
	{ 16, 5, "\x0f\x03\x8f\x8f\x59" }, /* lsl 0x598f(%bx),%cx */
	{ 16, 3, "\x0f\x57\xe8" }, /* xorps %xmm0,%xmm5 */
	{ 16, 8, "\x67\xfe\x84\xe4\x51\x44\x6c\x2e" }, /* incb 0x2e6c4451(%esp,%eiz,8) */
	{ 16, 3, "\x2e\x7f\x37" }, /* jg,pn 0x1e01 */
	{ 16, 2, "\x66\x6d" }, /* insl (%dx),%es:(%di) */
	{ 16, 5, "\x36\x0f\xfd\x50\xec" }, /* paddw %ss:-0x14(%bx,%si),%mm2 */
	{ 16, 4, "\x0f\xdf\x7d\x3b" }, /* pandn 0x3b(%di),%mm7 */
	{ 16, 3, "\x0f\xb6\x2b" }, /* movzbw (%bp,%di),%bp */
	{ 16, 3, "\x0f\x10\xcc" }, /* movups %xmm4,%xmm1 */
	{ 16, 2, "\x0f\x77" }, /* emms */
	{ 16, 2, "\x0f\xa2" }, /* cpuid */
	{ 16, 7, "\x66\x67\xa2\x4e\xda\xe7\x5c" }, /* data32 addr32 mov %al,0x5ce7da4e */
	{ 16, 3, "\x0f\x61\x38" }, /* punpcklwd (%bx,%si),%mm7 */
	{ 16, 4, "\x0f\xec\x66\xb8" }, /* paddsb -0x48(%bp),%mm4 */
	{ 16, 3, "\x0f\x93\x02" }, /* setae (%bp,%si) */
	{ 16, 2, "\x66\xc9" }, /* leavel */
	{ 16, 5, "\x0f\x15\x0e\xa4\x8e" }, /* unpckhps -0x715c,%xmm1 */
	{ 16, 2, "\xd9\xf3" }, /* fpatan */
	{ 16, 5, "\x0f\x9c\xb9\xdf\xfc" }, /* setl -0x321(%bx,%di) */
	{ 16, 7, "\x2e\x66\x2d\x40\xc1\xa5\xff" }, /* cs sub $0xffa5c140,%eax */
	{ 16, 3, "\x3e\x7e\xcd" }, /* jle,pt 0xc4a6 */
	{ 16, 5, "\x0f\x46\x0e\x2f\xeb" }, /* cmovbe -0x14d1,%cx */
	{ 16, 4, "\x0f\xfb\x68\xab" }, /* psubq -0x55(%bx,%si),%mm5 */
	{ 16, 4, "\x66\xd1\x4d\xc7" }, /* rorl -0x39(%di) */
	{ 16, 7, "\x26\x69\x95\x9d\x81\xae\xa6" }, /* imul $0xa6ae,%es:-0x7e63(%di),%dx */
	{ 16, 5, "\x0f\x5a\x92\x58\x86" }, /* cvtps2pd -0x79a8(%bp,%si),%xmm2 */
	{ 16, 7, "\x65\xf7\x81\x79\x1d\x40\x20" }, /* testw $0x2040,%gs:0x1d79(%bx,%di) */
	{ 16, 3, "\x0f\xa5\xfc" }, /* shld %cl,%di,%sp */
	{ 16, 2, "\x0f\x33" }, /* rdpmc */
	{ 16, 2, "\x66\x98" }, /* cwtl */
	{ 16, 6, "\x66\xe9\x8a\xaf\x02\x5e" }, /* jmpl 0x5e0337ef */
	{ 16, 2, "\xdb\xe1" }, /* fndisi(8087 only) */
	{ 16, 3, "\x0f\x01\x39" }, /* invlpg (%bx,%di) */
	{ 16, 3, "\x0f\x01\xdf" }, /* invlpga */
	{ 16, 5, "\x0f\xdd\xad\xa9\xc5" }, /* paddusw -0x3a57(%di),%mm5 */
	{ 16, 3, "\x0f\xdc\x2a" }, /* paddusb (%bp,%si),%mm5 */
	{ 16, 3, "\x3e\x7d\xf8" }, /* jge,pt 0x6abf */
	{ 16, 2, "\x66\xa7" }, /* cmpsl %es:(%di),%ds:(%si) */
	{ 16, 3, "\x0f\x16\xc8" }, /* movlhps %xmm0,%xmm1 */
};
