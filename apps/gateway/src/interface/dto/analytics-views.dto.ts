import { ApiProperty } from '@nestjs/swagger';
import { MoneyDto } from './money.dto';

/** Responses of the analytics routes: camelCase, money as {amountMinor, currency}. */

/** The figures of a KPI row (a day's, or the whole range's). */
export class KpiFiguresView {
  @ApiProperty({ example: 'web' }) channel!: string;
  @ApiProperty({ type: MoneyDto, description: 'amount paid, before refunds' }) gmv!: MoneyDto;
  @ApiProperty() orders!: number;
  @ApiProperty() paidOrders!: number;
  @ApiProperty({ type: MoneyDto, description: 'gmv / paid orders, rounded half up' })
  aov!: MoneyDto;
  @ApiProperty() units!: number;
  @ApiProperty({ type: MoneyDto }) refunds!: MoneyDto;
  @ApiProperty() newBuyers!: number;
  @ApiProperty() returningBuyers!: number;
}

export class KpiRowView extends KpiFiguresView {
  @ApiProperty({ format: 'date' }) day!: string;
}

export class KpisView {
  @ApiProperty({ type: [KpiRowView] }) rows!: KpiRowView[];
  @ApiProperty({
    type: KpiFiguresView,
    nullable: true,
    description: 'the same figures over the whole range (buyers counted once)',
  })
  total!: KpiFiguresView | null;
}

export class FunnelStepView {
  @ApiProperty({ enum: ['view', 'cart', 'checkout', 'paid'] }) step!: string;
  @ApiProperty() visitors!: number;
  @ApiProperty({ description: "visitors / the previous step's" }) conversion!: number;
  @ApiProperty({ description: '1 − conversion' }) dropOff!: number;
}

export class FunnelView {
  @ApiProperty({ type: [FunnelStepView] }) steps!: FunnelStepView[];
}

export class CohortView {
  @ApiProperty({ example: '2026-06' }) month!: string;
  @ApiProperty() buyers!: number;
  @ApiProperty({ type: [Number], description: 'retained[k]: buyers paying in month + k' })
  retained!: number[];
}

export class RetentionView {
  @ApiProperty() repurchaseRate!: number;
  @ApiProperty() buyers!: number;
  @ApiProperty() repeatBuyers!: number;
  @ApiProperty({ type: [CohortView] }) cohorts!: CohortView[];
}

export class LifecycleStageView {
  @ApiProperty({ enum: ['new', 'active', 'dormant', 'woken_up'] }) stage!: string;
  @ApiProperty() accounts!: number;
}

export class LifecycleView {
  @ApiProperty({ type: [LifecycleStageView] }) stages!: LifecycleStageView[];
  @ApiProperty({ format: 'date-time' }) asOf!: string;
}

export class RfmSegmentView {
  @ApiProperty({ example: 'champions' }) name!: string;
  @ApiProperty() accounts!: number;
  @ApiProperty({ type: MoneyDto }) monetary!: MoneyDto;
}

export class RfmScoreView {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) recency!: number;
  @ApiProperty({ minimum: 1, maximum: 5 }) frequency!: number;
  @ApiProperty({ minimum: 1, maximum: 5 }) monetary!: number;
  @ApiProperty() segment!: string;
  @ApiProperty() daysSinceLastOrder!: number;
  @ApiProperty() paidOrders!: number;
  @ApiProperty({ type: MoneyDto }) spent!: MoneyDto;
}

export class RfmView {
  @ApiProperty({ type: [RfmSegmentView] }) segments!: RfmSegmentView[];
  @ApiProperty({ type: [RfmScoreView] }) accounts!: RfmScoreView[];
  @ApiProperty({ format: 'date-time' }) asOf!: string;
}

export class AudienceView {
  @ApiProperty() audienceId!: string;
  @ApiProperty({ description: 'accounts handed to marketing' }) accounts!: number;
}

export class SkuHealthView {
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty() productId!: string;
  @ApiProperty() categoryId!: string;
  @ApiProperty() onHand!: number;
  @ApiProperty() unitsSold!: number;
  @ApiProperty() turnover!: number;
  @ApiProperty({ description: '-1: no sales in the window' }) daysOfSupply!: number;
  @ApiProperty() sellThrough!: number;
  @ApiProperty() slowMover!: boolean;
  @ApiProperty() stockoutRisk!: boolean;
}

export class CategoryHealthView {
  @ApiProperty() categoryId!: string;
  @ApiProperty() onHand!: number;
  @ApiProperty() unitsSold!: number;
  @ApiProperty() turnover!: number;
  @ApiProperty() daysOfSupply!: number;
  @ApiProperty() sellThrough!: number;
}

export class InventoryHealthView {
  @ApiProperty({ type: [SkuHealthView] }) skus!: SkuHealthView[];
  @ApiProperty({ type: [CategoryHealthView] }) categories!: CategoryHealthView[];
}

export class AttributionRowView {
  @ApiProperty() utmSource!: string;
  @ApiProperty() utmMedium!: string;
  @ApiProperty() utmCampaign!: string;
  @ApiProperty() paidOrders!: number;
  @ApiProperty({ type: MoneyDto }) gmv!: MoneyDto;
}

export class AttributionView {
  @ApiProperty({ type: [AttributionRowView] }) rows!: AttributionRowView[];
}

export class AbandonedCartView {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ format: 'date-time' }) cartUpdatedAt!: string;
  @ApiProperty({ format: 'date-time' }) abandonedAt!: string;
  @ApiProperty() items!: number;
  @ApiProperty({ type: MoneyDto }) subtotal!: MoneyDto;
  @ApiProperty({ description: 'an order followed' }) recovered!: boolean;
}

export class AbandonedCartList {
  @ApiProperty({ type: [AbandonedCartView] }) items!: AbandonedCartView[];
}

export class RecommendationView {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ description: 'orders (or sessions) with both products' }) together!: number;
  @ApiProperty() score!: number;
}

export class RecommendationList {
  @ApiProperty({ type: [RecommendationView] }) items!: RecommendationView[];
}

export class VariantView {
  @ApiProperty() key!: string;
  @ApiProperty() weight!: number;
}

export class ExperimentView {
  @ApiProperty() key!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [VariantView] }) variants!: VariantView[];
  @ApiProperty({ format: 'date-time' }) startAt!: string;
  @ApiProperty({ format: 'date-time' }) stopAt!: string;
  @ApiProperty() primaryMetric!: string;
  @ApiProperty({ enum: ['SCHEDULED', 'RUNNING', 'STOPPED'] }) status!: string;
}

export class ExperimentList {
  @ApiProperty({ type: [ExperimentView] }) items!: ExperimentView[];
}

export class AssignmentView {
  @ApiProperty() experimentKey!: string;
  @ApiProperty() variant!: string;
}

export class AssignmentList {
  @ApiProperty({ type: [AssignmentView] }) items!: AssignmentView[];
}

export class VariantResultView {
  @ApiProperty() variant!: string;
  @ApiProperty() users!: number;
  @ApiProperty() conversions!: number;
  @ApiProperty() rate!: number;
  @ApiProperty() absoluteUplift!: number;
  @ApiProperty() relativeUplift!: number;
  @ApiProperty({ description: '95% confidence interval of the difference' }) ciLow!: number;
  @ApiProperty() ciHigh!: number;
  @ApiProperty({ description: 'two-proportion z-test, two-sided' }) pValue!: number;
  @ApiProperty() significant!: boolean;
}

export class ExperimentResultsView {
  @ApiProperty({ type: ExperimentView }) experiment!: ExperimentView;
  @ApiProperty({ type: [VariantResultView] }) variants!: VariantResultView[];
  @ApiProperty() srmPValue!: number;
  @ApiProperty() sampleRatioMismatch!: boolean;
}

export class PricingPolicyView {
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ type: MoneyDto }) floor!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) ceiling!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) unitCost!: MoneyDto;
  @ApiProperty() minMarginBps!: number;
  @ApiProperty() targetSellThrough!: number;
  @ApiProperty() targetDaysOfSupply!: number;
  @ApiProperty() enabled!: boolean;
}

export class PricingPolicyList {
  @ApiProperty({ type: [PricingPolicyView] }) items!: PricingPolicyView[];
}

export class SuggestedView {
  @ApiProperty({ description: 'suggestions made' }) suggested!: number;
}

export class PriceSuggestionView {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ type: MoneyDto }) currentPrice!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) suggestedPrice!: MoneyDto;
  @ApiProperty({ type: [String] }) reasons!: string[];
  @ApiProperty() elasticity!: number;
  @ApiProperty() daysOfSupply!: number;
  @ApiProperty() sellThrough!: number;
  @ApiProperty({ enum: ['PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
}

export class PriceSuggestionList {
  @ApiProperty({ type: [PriceSuggestionView] }) items!: PriceSuggestionView[];
}
