// microvm tier: the same contract for a QEMU microvm / Firecracker driver. Not implemented on this host: it reports
// why at submit and run time instead of pretending (see docs/sandbox.md for the design).
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { UnavailableError } from '../core/errors.js';
import type { Bridge, RunLimits, SandboxTier, TierAvailability, TierResult } from './tier.js';

export interface MicrovmOptions {
  /** Guest kernel image (uncompressed vmlinux) and root filesystem with Node; unset means not provisioned. */
  kernelPath?: string;
  rootfsPath?: string;
}

function findVmm(): string | undefined {
  for (const p of [
    '/usr/bin/firecracker',
    '/usr/local/bin/firecracker',
    '/usr/bin/qemu-system-x86_64',
    '/usr/local/bin/qemu-system-x86_64',
  ])
    if (existsSync(p)) return p;
  return undefined;
}

export class MicrovmTier implements SandboxTier {
  readonly name = 'microvm' as const;
  constructor(private readonly opts: MicrovmOptions = {}) {}

  async available(): Promise<TierAvailability> {
    const reasons: string[] = [];
    if (!findVmm()) reasons.push('no VMM installed (neither firecracker nor qemu-system-x86_64)');
    let kvm = false;
    try {
      accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
      kvm = true;
    } catch {
      reasons.push('/dev/kvm is not usable');
    }
    let cpuVirt = false;
    try {
      cpuVirt = /\b(vmx|svm)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
    } catch {
      cpuVirt = false;
    }
    if (kvm && !cpuVirt)
      reasons.push(
        '/dev/kvm exists but the CPU exposes no vmx/svm to this guest (nested virtualization), so a stock kernel cannot boot under KVM',
      );
    if (!this.opts.kernelPath || !existsSync(this.opts.kernelPath))
      reasons.push('no guest kernel image configured (sandbox.microvm.kernelPath)');
    if (!this.opts.rootfsPath || !existsSync(this.opts.rootfsPath))
      reasons.push('no guest root filesystem configured (sandbox.microvm.rootfsPath)');
    return { ok: false, reason: reasons.join('; ') };
  }

  async run(_code: string, _input: unknown, _bridge: Bridge, _limits: RunLimits): Promise<TierResult> {
    const a = await this.available();
    throw new UnavailableError(`microvm tier unavailable on this host: ${a.reason}`);
  }
}
