// The `doctor` section of gatehouse.yaml: what the operator declares that Gatehouse cannot observe itself.
import { z } from 'zod';

export const doctorConfigSchema = z
  .object({
    /** What backs up the database and GATEHOUSE_HOME (incl. the audit signing key), and where: e.g. "pg_dump nightly to s3://ops/gh". */
    backups: z.string().min(1).optional(),
    /** The proxy that terminates TLS in front of Gatehouse and sets X-Forwarded-Proto: https, e.g. "ingress-nginx". */
    tlsTerminatedBy: z.string().min(1).optional(),
  })
  .strict();

export type DoctorConfig = z.output<typeof doctorConfigSchema>;
