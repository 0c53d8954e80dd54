// ELF loading for `zkrtl run`: a static, little-endian, 32-bit RISC-V executable (ET_EXEC,
// EM_RISCV) is turned into the initial RAM image. Every PT_LOAD segment is copied to its
// virtual address (RAM starts at address 0) and the rest of its memory size (.bss) is zero.
// Anything else is rejected with a UsageError naming the value and what is accepted.
import { UsageError } from '../base/errors.ts';

export interface LoadedSegment {
  vaddr: number;
  memsz: number;
  filesz: number;
  offset: number;
  /** PF_R = 4, PF_W = 2, PF_X = 1 */
  flags: number;
}

export interface LoadedElf {
  entry: number;
  /** The whole RAM (ramBytes), segments copied in, everything else 0. */
  image: Uint8Array;
  segments: LoadedSegment[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const ET_EXEC = 2;
const EM_RISCV = 243;
const EF_RISCV_RVC = 0x1;
const EF_RISCV_FLOAT_ABI = 0x6;
const EF_RISCV_RVE = 0x8;

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/**
 * Parses `bytes` as a static rv32 executable and lays it out in a RAM of `ramBytes` bytes at
 * address 0. `name` (the file name) prefixes every error message.
 */
export function loadElf(bytes: Uint8Array, ramBytes: number, name = 'ELF'): LoadedElf {
  const fail = (msg: string): never => {
    throw new UsageError(`${name}: ${msg}`);
  };
  if (bytes.length < 52) fail(`${bytes.length} bytes is too short for an ELF header (52 bytes): a static 32-bit RISC-V ELF executable is accepted`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail(`not an ELF file (magic ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}): a static 32-bit RISC-V ELF executable is accepted`);
  }
  if (bytes[4] !== 1) fail(`ELF class ${bytes[4]}${bytes[4] === 2 ? ' (64-bit)' : ''}: only 32-bit (ELFCLASS32) RISC-V executables are accepted`);
  if (bytes[5] !== 1) fail(`ELF data encoding ${bytes[5]}${bytes[5] === 2 ? ' (big-endian)' : ''}: only little-endian (ELFDATA2LSB) is accepted`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_RISCV) fail(`e_machine ${machine}: only RISC-V (EM_RISCV = 243) is accepted`);
  if (type !== ET_EXEC) fail(`e_type ${type}${type === 3 ? ' (shared object / PIE)' : type === 1 ? ' (relocatable object)' : ''}: only a static executable (ET_EXEC = 2) is accepted`);
  const flags = u32(36);
  if (flags & EF_RISCV_RVC) fail(`e_flags ${hex(flags)} has EF_RISCV_RVC (compressed instructions): only rv32im code is accepted (compile with -march=rv32im)`);
  if (flags & EF_RISCV_FLOAT_ABI) fail(`e_flags ${hex(flags)} names a hardware float ABI: only the soft-float ilp32 ABI is accepted (-mabi=ilp32)`);
  if (flags & EF_RISCV_RVE) fail(`e_flags ${hex(flags)} has EF_RISCV_RVE: only rv32im (32 registers) is accepted`);
  const entry = u32(24);
  const phoff = u32(28);
  const phentsize = u16(42);
  const phnum = u16(44);
  if (phnum === 0) fail('no program headers: an executable with PT_LOAD segments is accepted');
  if (phentsize < 32) fail(`e_phentsize ${phentsize}: at least 32 (Elf32_Phdr) is accepted`);
  if (phoff + phnum * phentsize > bytes.length) fail(`program headers at ${hex(phoff)} (${phnum} × ${phentsize} bytes) run past the end of the file (${bytes.length} bytes)`);

  const image = new Uint8Array(ramBytes);
  const segments: LoadedSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    const ptype = u32(ph);
    if (ptype === PT_INTERP) fail('has a PT_INTERP program header (dynamically linked): only static executables are accepted (link with -static)');
    if (ptype === PT_DYNAMIC) fail('has a PT_DYNAMIC program header (dynamic linking): only static executables are accepted (link with -static)');
    if (ptype !== PT_LOAD) continue;
    const seg: LoadedSegment = {
      offset: u32(ph + 4),
      vaddr: u32(ph + 8),
      filesz: u32(ph + 16),
      memsz: u32(ph + 20),
      flags: u32(ph + 24),
    };
    if (seg.filesz > seg.memsz) fail(`PT_LOAD at ${hex(seg.vaddr)}: p_filesz ${hex(seg.filesz)} exceeds p_memsz ${hex(seg.memsz)}`);
    if (seg.offset + seg.filesz > bytes.length) fail(`PT_LOAD at ${hex(seg.vaddr)}: file bytes ${hex(seg.offset)}..${hex(seg.offset + seg.filesz)} run past the end of the file (${bytes.length} bytes)`);
    if (seg.vaddr + seg.memsz > ramBytes) {
      fail(`PT_LOAD ${hex(seg.vaddr)}..${hex(seg.vaddr + seg.memsz)} lies outside RAM 0x0..${hex(ramBytes)}: segments must fit in RAM (raise --ram or relink)`);
    }
    image.set(bytes.subarray(seg.offset, seg.offset + seg.filesz), seg.vaddr);
    image.fill(0, seg.vaddr + seg.filesz, seg.vaddr + seg.memsz); // .bss
    segments.push(seg);
  }
  if (segments.length === 0) fail('no PT_LOAD segment: an executable with at least one loadable segment is accepted');
  return { entry, image, segments };
}
