# Sourced by tools/start.sh and tools/grant-roles.sh: the settings `npm start` runs with.
eval "$(bash deploy/local/env.sh)"
db_url() { local u="${POSTGRES_URL%/*}"; echo "$u/$1"; }
export LOG_LEVEL="${LOG_LEVEL:-info}" BIND_HOST="${BIND_HOST:-127.0.0.1}"
export CATALOG_DATABASE_URL="${CATALOG_DATABASE_URL:-$(db_url emporia_catalog)}"
export USER_DATABASE_URL="${USER_DATABASE_URL:-$(db_url emporia_user)}"
export ORDER_DATABASE_URL="${ORDER_DATABASE_URL:-$(db_url emporia_order)}"
export MARKETING_DATABASE_URL="${MARKETING_DATABASE_URL:-$(db_url emporia_marketing)}"
export RISK_DATABASE_URL="${RISK_DATABASE_URL:-$(db_url emporia_risk)}"
export ANALYTICS_DATABASE_URL="${ANALYTICS_DATABASE_URL:-$(db_url emporia_analytics)}"
export SUPPORT_DATABASE_URL="${SUPPORT_DATABASE_URL:-$(db_url emporia_support)}"
export REVIEW_DATABASE_URL="${REVIEW_DATABASE_URL:-$(db_url emporia_review)}"
export CATALOG_GRPC_URL="${CATALOG_GRPC_URL:-127.0.0.1:50051}" SEARCH_GRPC_URL="${SEARCH_GRPC_URL:-127.0.0.1:50052}"
export USER_GRPC_URL="${USER_GRPC_URL:-127.0.0.1:50053}"
export MARKETING_GRPC_URL="${MARKETING_GRPC_URL:-127.0.0.1:50055}"
export RISK_GRPC_URL="${RISK_GRPC_URL:-127.0.0.1:50056}"
# the gateway's analytics routes (50057; its ops on 8087); analytics itself calls catalog
export ANALYTICS_GRPC_URL="${ANALYTICS_GRPC_URL:-127.0.0.1:50057}"
# the gateway's support routes (50058; its ops on 8088) and review routes (50059; ops on 8089);
# support calls order and user, review calls order, user and risk (their defaults: 127.0.0.1)
export SUPPORT_GRPC_URL="${SUPPORT_GRPC_URL:-127.0.0.1:50058}" REVIEW_GRPC_URL="${REVIEW_GRPC_URL:-127.0.0.1:50059}"
# notification (gRPC 50060, ops on 8091; the gateway's notification routes): its e-mails go to the
# local mail sink (Mailpit, deploy/local/mailpit.sh), low-stock alerts to a local operator address,
# the sandbox's SMS/push receipts through the gateway's public receipt route
export NOTIFICATION_DATABASE_URL="${NOTIFICATION_DATABASE_URL:-$(db_url emporia_notification)}"
export NOTIFICATION_GRPC_URL="${NOTIFICATION_GRPC_URL:-127.0.0.1:50060}"
export SMTP_URL="${SMTP_URL:-$SMTP_SINK_URL}"
export NOTIFICATION_PUBLIC_BASE_URL="${NOTIFICATION_PUBLIC_BASE_URL:-http://127.0.0.1:8080}"
export NOTIFICATION_SANDBOX_RECEIPT_URL="${NOTIFICATION_SANDBOX_RECEIPT_URL:-$NOTIFICATION_PUBLIC_BASE_URL/v1/notifications/receipts}"
export NOTIFICATION_OPERATOR_EMAILS="${NOTIFICATION_OPERATOR_EMAILS:-operator@emporia.local}"
