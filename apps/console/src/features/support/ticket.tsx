import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { Form } from 'react-aria-components';
import { ok, type components } from '@emporia/sdk';
import { useT } from '../../i18n';
import { api } from '../../sdk';
import { useSession } from '../../session';
import { TextInput } from '../../ui/fields';
import { useNotify } from '../../ui/notify';
import { Loading, Page, Section } from '../../ui/page';
import { fieldErrors, ProblemAlert } from '../../ui/problem';
import { ConfirmButton } from '../../ui/dialogs';
import { DateTime } from '../../ui/format';
import { PriorityBadge, StatusBadge, useAgents, type AgentTicket } from './shared';

type Conversation = components['schemas']['AgentTicketConversationView'];
const ticketKey = (id: string) => ['support', 'ticket', id] as const;

export function TicketScreen() {
  const t = useT();
  const { id = '' } = useParams();
  const ticket = useQuery({
    queryKey: ticketKey(id),
    queryFn: () => ok(api.GET('/v1/agent/tickets/{id}', { params: { path: { id } } })),
    refetchInterval: 10_000,
  });
  if (ticket.isPending)
    return (
      <Page title={t('support.ticketTitle')}>
        <Loading />
      </Page>
    );
  if (ticket.isError)
    return (
      <Page title={t('support.ticketTitle')}>
        <ProblemAlert error={ticket.error} onRetry={() => void ticket.refetch()} />
        <Link to="/support">{t('support.backToDesk')}</Link>
      </Page>
    );
  return <TicketView data={ticket.data} />;
}

/**
 * Writes on the ticket. Each answers the ticket as it is now and some of the messages (a post
 * answers only the new one): those are shown at once, then the whole conversation is read again.
 */
function useTicketAction<V>(id: string, call: (v: V) => Promise<Conversation>, done: string) {
  const notify = useNotify();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: async (c) => {
      queryClient.setQueryData<Conversation>(ticketKey(id), (old) => {
        const known = new Set(old?.messages.map((m) => m.id));
        return {
          ticket: c.ticket,
          messages: [...(old?.messages ?? []), ...c.messages.filter((m) => !known.has(m.id))],
        };
      });
      notify(done);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKey(id), exact: true }),
        queryClient.invalidateQueries({ queryKey: ['support', 'queue'] }),
      ]);
    },
  });
}

function TicketView({ data }: { data: Conversation }) {
  const t = useT();
  const { account, can } = useSession();
  const agents = useAgents();
  const { ticket, messages } = data;
  const id = ticket.id;
  const mine = ticket.assigneeId === account?.id;
  const closed = ticket.status === 'RESOLVED' || ticket.status === 'CLOSED';
  const nameOf = (agentId: string | null | undefined) =>
    agentId
      ? (agents.data?.items.find((a) => a.agentId === agentId)?.displayName ?? agentId.slice(0, 8))
      : t('support.unassigned');
  const claim = useTicketAction(
    id,
    () => ok(api.POST('/v1/agent/tickets/{id}/claim', { params: { path: { id } } })),
    t('support.claimed'),
  );
  const [resolution, setResolution] = useState('');
  const [escalation, setEscalation] = useState('');
  const resolve = useTicketAction(
    id,
    (resolutionNote: string) =>
      ok(
        api.POST('/v1/agent/tickets/{id}/resolve', {
          params: { path: { id } },
          body: resolutionNote ? { resolutionNote } : {},
        }),
      ),
    t('support.resolved'),
  );
  const escalate = useTicketAction(
    id,
    (reason: string) =>
      ok(
        api.POST('/v1/agent/tickets/{id}/escalate', {
          params: { path: { id } },
          body: reason ? { reason } : {},
        }),
      ),
    t('support.escalated'),
  );
  return (
    <Page
      title={ticket.subject}
      actions={
        <Link className="button secondary" to="/support">
          {t('support.backToDesk')}
        </Link>
      }
    >
      <Section title={t('support.ticketDetails')} id="ticket-details">
        <dl className="ops-pairs">
          <div>
            <dt>{t('app.status')}</dt>
            <dd>
              <StatusBadge status={ticket.status} />
              {ticket.escalated ? (
                <span className="badge warn">{t('support.escalatedBadge')}</span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt>{t('support.priority')}</dt>
            <dd>
              <PriorityBadge priority={ticket.priority} />{' '}
              {ticket.tierCode ? `(${ticket.tierCode})` : null}
            </dd>
          </div>
          <div>
            <dt>{t('support.queueLabel')}</dt>
            <dd>{t(`support.queue.${ticket.queue}`)}</dd>
          </div>
          <div>
            <dt>{t('support.category')}</dt>
            <dd>{t(`support.category.${ticket.category}`)}</dd>
          </div>
          <div>
            <dt>{t('support.assignee')}</dt>
            <dd>{mine ? t('support.me') : nameOf(ticket.assigneeId)}</dd>
          </div>
          <div>
            <dt>{t('support.customer')}</dt>
            <dd>
              {can('operator') ? (
                <Link to={`/accounts?q=${ticket.accountId}`}>
                  <code>{ticket.accountId}</code>
                </Link>
              ) : (
                <code>{ticket.accountId}</code>
              )}
            </dd>
          </div>
          {ticket.orderId ? (
            <div>
              <dt>{t('support.order')}</dt>
              <dd>
                {can('operator') ? (
                  <Link to={`/orders/${ticket.orderId}`}>
                    <code>{ticket.orderId}</code>
                  </Link>
                ) : (
                  <code>{ticket.orderId}</code>
                )}
              </dd>
            </div>
          ) : null}
          <div>
            <dt>{t('support.firstResponseDue')}</dt>
            <dd>
              <Due
                at={ticket.firstResponseDueAt}
                met={ticket.firstRespondedAt}
                breached={ticket.firstResponseBreached}
              />
            </dd>
          </div>
          <div>
            <dt>{t('support.resolutionDue')}</dt>
            <dd>
              <Due
                at={ticket.resolutionDueAt}
                met={ticket.resolvedAt}
                breached={ticket.resolutionBreached}
              />
            </dd>
          </div>
          {ticket.resolutionNote ? (
            <div>
              <dt>{t('support.resolutionNote')}</dt>
              <dd>{ticket.resolutionNote}</dd>
            </div>
          ) : null}
          {ticket.survey ? (
            <div>
              <dt>{t('support.survey')}</dt>
              <dd>
                {t('support.rating', { n: ticket.survey.rating })} {ticket.survey.comment}
              </dd>
            </div>
          ) : null}
        </dl>
        <ProblemAlert error={claim.error} />
        <div className="row">
          {!closed && !mine ? (
            <button
              type="button"
              className="button"
              disabled={claim.isPending}
              onClick={() => claim.mutate(undefined)}
            >
              {t('support.claim')}
            </button>
          ) : null}
          {!closed && !ticket.escalated ? (
            <ConfirmButton
              label={t('support.escalate')}
              title={t('support.escalateTitle')}
              confirmLabel={t('support.escalate')}
              onConfirm={async () => {
                await escalate.mutateAsync(escalation.trim());
                setEscalation('');
              }}
            >
              <p>{t('support.escalateBody')}</p>
              <TextInput
                label={t('support.escalateReason')}
                value={escalation}
                onChange={setEscalation}
                multiline
                maxLength={2000}
              />
            </ConfirmButton>
          ) : null}
          {!closed ? (
            <ConfirmButton
              label={t('support.resolve')}
              title={t('support.resolveTitle')}
              confirmLabel={t('support.resolve')}
              onConfirm={async () => {
                await resolve.mutateAsync(resolution.trim());
                setResolution('');
              }}
            >
              <p>{t('support.resolveBody')}</p>
              <TextInput
                label={t('support.resolutionNote')}
                value={resolution}
                onChange={setResolution}
                multiline
                maxLength={2000}
              />
            </ConfirmButton>
          ) : null}
        </div>
      </Section>
      <Section title={t('support.conversation')} id="conversation">
        <ol className="ops-conversation">
          {messages.map((m) => (
            <li
              key={m.id}
              className={`ops-message ${m.authorKind.toLowerCase()}${m.internal ? ' internal' : ''}`}
            >
              <article aria-label={t(`support.author.${m.authorKind}`)}>
                <p className="ops-message-meta">
                  <strong>
                    {m.authorKind === 'AGENT'
                      ? nameOf(m.authorId)
                      : t(`support.author.${m.authorKind}`)}
                  </strong>
                  {m.internal ? (
                    <span className="badge warn">{t('support.internalBadge')}</span>
                  ) : null}{' '}
                  <DateTime value={m.createdAt} />
                </p>
                <p className="ops-message-body">{m.body}</p>
                {m.attachmentUrls.length > 0 ? (
                  <ul>
                    {m.attachmentUrls.map((u) => (
                      <li key={u}>
                        <a href={u} target="_blank" rel="noreferrer noopener">
                          {t('support.attachment')}
                        </a>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </article>
            </li>
          ))}
        </ol>
      </Section>
      {!closed ? <Reply ticket={ticket} /> : null}
    </Page>
  );
}

function Due({
  at,
  met,
  breached,
}: {
  at?: string | null;
  met?: string | null;
  breached: boolean;
}) {
  const t = useT();
  if (!at) return <>—</>;
  return (
    <>
      <DateTime value={at} />{' '}
      {breached ? (
        <span className="badge danger">{t('support.breached')}</span>
      ) : met ? (
        <span className="badge ok">{t('support.met')}</span>
      ) : null}
    </>
  );
}

/** A reply to the customer or an internal note, optionally from a suggested reply. */
function Reply({ ticket }: { ticket: AgentTicket }) {
  const t = useT();
  const id = ticket.id;
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [templateId, setTemplateId] = useState<string | undefined>();
  const suggestions = useQuery({
    queryKey: ['support', 'ticket', id, 'suggested'],
    queryFn: () =>
      ok(api.GET('/v1/agent/tickets/{id}/suggested-replies', { params: { path: { id } } })),
  });
  const send = useTicketAction(
    id,
    () =>
      ok(
        api.POST('/v1/agent/tickets/{id}/messages', {
          params: { path: { id } },
          body: { body: body.trim(), internal, ...(templateId ? { templateId } : {}) },
        }),
      ),
    internal ? t('support.noteAdded') : t('support.replySent'),
  );
  return (
    <Section title={t('support.replyTitle')} id="reply">
      <Form
        validationErrors={fieldErrors(send.error)}
        onSubmit={(e) => {
          e.preventDefault();
          if (!body.trim()) return;
          send.mutate(undefined, {
            onSuccess: () => {
              setBody('');
              setTemplateId(undefined);
              setInternal(false);
            },
          });
        }}
      >
        <TextInput
          label={internal ? t('support.noteLabel') : t('support.replyLabel')}
          name="body"
          multiline
          value={body}
          onChange={setBody}
          isRequired
          maxLength={5000}
        />
        <label className="ops-check">
          <input
            type="checkbox"
            checked={internal}
            onChange={(e) => setInternal(e.target.checked)}
          />
          {t('support.internal')}
        </label>
        <ProblemAlert error={send.error} />
        <button type="submit" className="button" disabled={send.isPending}>
          {internal ? t('support.addNote') : t('support.send')}
        </button>
      </Form>
      <h3>{t('support.suggested')}</h3>
      {suggestions.isPending ? (
        <Loading />
      ) : suggestions.isError ? (
        <ProblemAlert error={suggestions.error} />
      ) : suggestions.data.items.length === 0 ? (
        <p>{t('support.noSuggestions')}</p>
      ) : (
        <ul className="ops-suggestions">
          {suggestions.data.items.map((s) => (
            <li key={s.template.id}>
              <p>
                <strong>{s.template.name}</strong>
                {s.missingVariables.length > 0 ? (
                  <>
                    {' '}
                    <span className="badge warn">
                      {t('support.missing', { vars: s.missingVariables.join(', ') })}
                    </span>
                  </>
                ) : null}
              </p>
              <p className="ops-message-body">{s.rendered}</p>
              <button
                type="button"
                className="button secondary"
                aria-label={t('support.useNamed', { name: s.template.name })}
                onClick={() => {
                  setBody(s.rendered);
                  setTemplateId(s.template.id);
                }}
              >
                {t('support.use')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
