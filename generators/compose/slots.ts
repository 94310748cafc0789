/**
 * The slot through which other features add services to compose.production.yaml
 * (e.g. the monitoring stack under the `monitoring` profile). The compose
 * feature owns the file and merges these in.
 */
import { defineSlot, keyedList } from '../core/slot.ts';

/** One service of compose.production.yaml, with the named volumes it needs. */
export interface ComposeService {
  /** Service name, unique across the file. */
  name: string;
  /** The service definition as the Compose Specification writes it. */
  service: Record<string, unknown>;
  /** Named volumes the service mounts (declared top-level, with default settings). */
  volumes?: string[];
  /** Compose profiles that start the service (`docker compose --profile <name>`); always started without. */
  profiles?: string[];
}

/** Contributed services by name, sorted; one name with two different definitions is a conflict. */
export const composeServicesSlot = defineSlot<ComposeService, ComposeService[]>(
  'composeServices',
  keyedList('composeServices', (service) => service.name),
);
