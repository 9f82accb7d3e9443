import { useQuery } from '@tanstack/react-query';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';

export type AgentTicket = components['schemas']['AgentTicketView'];
export type Agent = components['schemas']['AgentView'];
export type Queue = Agent['queues'][number];
export const QUEUES: Queue[] = ['general', 'senior'];

export const agentsKey = ['support', 'agents'] as const;

/** Every agent (names for ids, and whether I am one yet). */
export function useAgents() {
  return useQuery({
    queryKey: agentsKey,
    queryFn: () => ok(api.GET('/v1/agent/agents')),
  });
}

export function PriorityBadge({ priority }: { priority: AgentTicket['priority'] }) {
  const tone = { P1: 'danger', P2: 'warn', P3: '', P4: '' }[priority];
  return <span className={`badge ${tone}`}>{priority}</span>;
}

export function StatusBadge({ status }: { status: AgentTicket['status'] }) {
  const t = useT();
  const tone: Record<AgentTicket['status'], string> = {
    BOT: '',
    OPEN: 'warn',
    ASSIGNED: '',
    WAITING_CUSTOMER: '',
    RESOLVED: 'ok',
    CLOSED: 'ok',
  };
  return <span className={`badge ${tone[status]}`}>{t(`support.status.${status}`)}</span>;
}
