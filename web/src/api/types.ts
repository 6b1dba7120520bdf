// Names for the API's shapes, from the types generated off the committed
// OpenAPI document (schema.d.ts; `npm run api-types` refreshes it).
import type { components } from "./schema";

type S = components["schemas"];
export type Me = S["MeResponse"];
export type Balance = S["BalanceView"];
export type MonthTotal = S["MonthTotal"];
export type Forecast = S["ForecastView"];
export type Series = S["SeriesView"];
export type Insight = S["InsightView"];
export type Health = S["FinancialHealthView"];
export type Transaction = S["TransactionView"];
export type TransactionList = S["TransactionList"];
export type ReviewEntry = S["ReviewEntry"];
export type Recurring = S["RecurringView"];
export type Budget = S["BudgetView"];
export type BudgetLine = S["BudgetLineView"];
export type BudgetStatus = S["BudgetStatusView"];
export type Recommendation = S["RecommendationView"];
export type Goal = S["GoalView"];
export type Projection = S["ProjectionView"];
export type Alert = S["AlertView"];
export type Category = S["CategoryView"];
export type Account = S["AccountView"];
export type Layout = S["LayoutView"];
export type Widget = S["WidgetView"];
export type GoalRequest = S["GoalRequest"];
export type BudgetLineRequest = S["BudgetLineRequest"];
export type BrowserSession = S["BrowserSession"];
