import {
  Body,
  Controller,
  Delete,
  Get,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Res,
  type PipeTransform,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { RISK_BACKEND, type RiskBackend } from '../application/ports';
import { ApiProblems } from './api-problems';
import { Auth } from './auth.guard';
import {
  AddListEntriesDto,
  DecisionList,
  FraudModelView,
  LIST_KINDS,
  ListDecisionsQuery,
  ListEntriesAddedView,
  ListEntriesRemovedView,
  ListExportView,
  RemoveListEntriesDto,
  RuleList,
  RuleView,
  UpsertRuleDto,
  type ListKind,
} from './dto/risk-admin.dto';
import { Ctx } from './request-context';
import {
  decisionsRequest,
  decisionView,
  fraudModelView,
  listEntriesToProto,
  listExportView,
  parseListKind,
  removalToProto,
  ruleToProto,
  ruleView,
} from './risk-mappers';
import { uuidParam } from './uuid-param';
import { describedPipe } from './openapi-contract';

/** A list kind in any case: ip, IP and Ip are the same list. */
const anyCase = (word: string) =>
  [...word].map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join('');
const listKindParam: PipeTransform<string, ListKind> = describedPipe(
  { transform: parseListKind },
  {
    type: 'string',
    pattern: `^(?:${LIST_KINDS.map(anyCase).join('|')})$`,
    description: `the list, one of ${LIST_KINDS.join(', ')} in any case`,
  },
);

/**
 * Operators' risk control: rules as data, the lists (blacklists) with import and export for
 * sharing, the decision audit trail, and the fraud model in force. Held orders are reviewed on the order routes
 * (`POST /v1/admin/orders/{id}/review`). Risk is not a readiness dependency of the gateway:
 * while it is down these routes answer 503 and checkout holds orders for review.
 */
@ApiTags('risk admin')
@Auth('operator')
@Controller('v1/admin/risk')
export class RiskAdminHttpController {
  constructor(@Inject(RISK_BACKEND) private readonly risk: RiskBackend) {}

  @Get('rules')
  @ApiOkResponse({ type: RuleList, description: 'every rule, active or not' })
  @ApiProblems()
  async rules(@Ctx() ctx: RequestContext): Promise<RuleList> {
    return { items: (await this.risk.listRules(ctx, {})).rules.map(ruleView) };
  }

  @Put('rules/:id')
  @ApiOkResponse({
    type: RuleView,
    description:
      'created or replaced, in force within a second; what GET shows (minus id) can be PUT back',
  })
  @ApiProblems()
  async upsertRule(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: UpsertRuleDto,
  ): Promise<RuleView> {
    const { rule } = await this.risk.upsertRule(ctx, { rule: ruleToProto(id, body) });
    return ruleView(rule!);
  }

  @Post('lists/:kind/entries')
  @ApiCreatedResponse({
    type: ListEntriesAddedView,
    description: 'listed (or imported: the body of an export is accepted as it is)',
  })
  @ApiProblems()
  async addEntries(
    @Ctx() ctx: RequestContext,
    @Param('kind', listKindParam) kind: ListKind,
    @Body() body: AddListEntriesDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ListEntriesAddedView> {
    const entries = listEntriesToProto(kind, body);
    const { added } = await this.risk.addListEntries(ctx, { entries });
    void reply.status(201);
    return { added };
  }

  @Delete('lists/:kind/entries')
  @ApiOkResponse({ type: ListEntriesRemovedView })
  @ApiProblems()
  async removeEntries(
    @Ctx() ctx: RequestContext,
    @Param('kind', listKindParam) kind: ListKind,
    @Body() body: RemoveListEntriesDto,
  ): Promise<ListEntriesRemovedView> {
    const { removed } = await this.risk.removeListEntries(ctx, {
      entries: removalToProto(kind, body),
    });
    return { removed };
  }

  @Get('lists/:kind/export')
  @ApiOkResponse({
    type: ListExportView,
    description:
      'the whole list as a JSON download, oldest first; POST it to another installation to import it',
  })
  @ApiProblems()
  async exportList(
    @Ctx() ctx: RequestContext,
    @Param('kind', listKindParam) kind: ListKind,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ListExportView> {
    const r = await this.risk.exportList(ctx, { kind });
    void reply
      .header('content-disposition', `attachment; filename="emporia-risk-${kind}.json"`)
      .header('cache-control', 'no-store');
    return listExportView(kind, r);
  }

  @Get('decisions')
  @ApiOkResponse({
    type: DecisionList,
    description: 'newest first; without filters, the latest decisions of all subjects',
  })
  @ApiProblems()
  async decisions(
    @Ctx() ctx: RequestContext,
    @Query() q: ListDecisionsQuery,
  ): Promise<DecisionList> {
    const r = await this.risk.listDecisions(ctx, decisionsRequest(q));
    return { items: r.decisions.map(decisionView) };
  }

  @Get('model')
  @ApiOkResponse({
    type: FraudModelView,
    description:
      'the fraud model risk serves (issue 23): its version, its held-out report, its scoring deadline and what its scores did on the replica that answered; tune its threshold with the MODEL_SCORE rule',
  })
  @ApiProblems()
  async fraudModel(@Ctx() ctx: RequestContext): Promise<FraudModelView> {
    return fraudModelView(await this.risk.getFraudModel(ctx, {}));
  }
}
