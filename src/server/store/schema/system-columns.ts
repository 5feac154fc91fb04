import { SYSTEM_COLUMN_SPECS } from '../../../protocol/host-tables';

/**
 * The system columns every record table has (Part A §10.3), as the host creates them. The list is
 * shared with the chat plugin, which creates its tables in the same layout.
 */
export { SYSTEM_COLUMNS } from '../../../protocol/host-tables';

export function systemColumnsDDL(): string {
  return SYSTEM_COLUMN_SPECS.map((c) => `${c.name} ${c.type}`).join(',\n       ');
}
