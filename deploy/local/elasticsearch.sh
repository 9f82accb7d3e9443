#!/usr/bin/env bash
# Elasticsearch, embedded from Maven Central jars (org.codelibs:elasticsearch-cluster-runner,
# see deploy/local/elasticsearch/pom.xml for the version and why), one node on
# plain HTTP 127.0.0.1:$EMPORIA_ES_PORT (default 59200), transport
# 127.0.0.1:$EMPORIA_ES_TRANSPORT_PORT (default 59300), no security.
# Jars in $EMPORIA_LOCAL_DIR/elasticsearch-<version>/libs, data and logs in
# $EMPORIA_LOCAL_DIR/elasticsearch.
# Readiness = cluster health yellow/green + a working 'cjk' analyzer (analysis-common).
# By default a small compatibility layer lets the @elastic/elasticsearch 8.x
# client talk to it (EMPORIA_ES_V8_COMPAT=0 turns it off; see README.md).
#
# usage: deploy/local/elasticsearch.sh start|stop|status|restart|install
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=elasticsearch

ES_SRC="$EMPORIA_LOCAL_SCRIPTS_DIR/elasticsearch"
ES_VERSION="$(sed -n 's:.*<elasticsearch.version>\(.*\)</elasticsearch.version>.*:\1:p' "$ES_SRC/pom.xml")"
ES_HOME="$EMPORIA_LOCAL_DIR/elasticsearch-$ES_VERSION"
ES_LIBS="$ES_HOME/libs"
ES_CLASSES="$ES_HOME/classes"
ES_DIR="$EMPORIA_LOCAL_DIR/elasticsearch"
ES_LOG="$ES_DIR/elasticsearch.log"
ES_PID="$ES_DIR/elasticsearch.pid"
ES_HEAP="${EMPORIA_ES_HEAP:-1g}"
ES_START_TIMEOUT="${EMPORIA_ES_START_TIMEOUT:-180}"
ES_URL="http://$EMPORIA_HOST:$EMPORIA_ES_PORT"
ES_MAIN=EmporiaElasticsearch
# 1 (default): accept the @elastic/elasticsearch 8.x client (see
# EmporiaElasticsearch.V8CompatPlugin); 0: plain Elasticsearch 7.10 HTTP.
ES_V8_COMPAT="${EMPORIA_ES_V8_COMPAT:-1}"

svc_install() {
  ensure_java
  need_cmd curl curl
  mvn_fetch "$ES_SRC/pom.xml" "$ES_LIBS"
  javac_build "$ES_CLASSES" "$ES_LIBS/*" "$ES_SRC/$ES_MAIN.java"
}

es_pid() {
  running_pid "$ES_PID" "emporia.es.basePath=$ES_DIR"
}

es_health() {
  curl -fsS -m 70 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=60s" 2>/dev/null |
    grep -Eq '"status":"(green|yellow)"'
}

# The cjk analyzer comes from the analysis-common module: '手机壳' must give
# the bigrams 手机 and 机壳. With the v8 compatibility layer on, the request is
# sent the way @elastic/elasticsearch 8.x sends it, and the product header that
# client insists on must come back.
es_cjk() {
  local out ctype=application/json
  if [[ "$ES_V8_COMPAT" != 0 ]]; then
    ctype='application/vnd.elasticsearch+json; compatible-with=8'
  fi
  out="$(curl -fsS -m 10 -D - -H "Content-Type: $ctype" -X POST "$ES_URL/_analyze" \
    -d '{"analyzer":"cjk","text":"手机壳"}' 2>/dev/null)" || return 1
  [[ "$out" == *'"token":"手机"'* && "$out" == *'"token":"机壳"'* ]] || return 1
  if [[ "$ES_V8_COMPAT" != 0 ]]; then
    grep -qi '^X-elastic-product: Elasticsearch' <<<"$out" || return 1
  fi
}

# Single node: indices that don't ask otherwise get no replicas, so the
# cluster (and wait_for_status=green) can turn green. Lowest-priority legacy
# template: any explicit setting or matching composable template wins.
es_default_template() {
  curl -fsS -m 10 -o /dev/null -H 'Content-Type: application/json' -X PUT \
    "$ES_URL/_template/emporia-local-single-node" \
    -d '{"index_patterns":["*"],"order":-1000,"settings":{"number_of_replicas":0}}'
}

es_ready() {
  es_health && es_cjk
}

svc_start() {
  local started pid
  started="$(now_ms)"
  pid="$(es_pid)"
  if [[ -n "$pid" ]]; then
    if WAIT_PID="$pid" wait_until 60 elasticsearch es_ready; then
      log "already running (pid $pid) and ready on $ES_URL"
      return 0
    fi
    tail_log "$ES_LOG"
    die "elasticsearch (pid $pid) runs but is not ready on $ES_URL (port or settings changed? run: $0 restart)"
  fi
  ensure_port_free "$EMPORIA_ES_PORT" elasticsearch
  ensure_port_free "$EMPORIA_ES_TRANSPORT_PORT" "elasticsearch transport"
  mkdir -p "$ES_DIR/tmp"
  rotate_log "$ES_LOG"
  log "starting Elasticsearch $ES_VERSION on $ES_URL (transport $EMPORIA_HOST:$EMPORIA_ES_TRANSPORT_PORT), heap $ES_HEAP"
  # JVM options as in Elasticsearch's own jvm.options / system options.
  # shellcheck disable=SC2054  # "SPI,COMPAT" is one argument
  local java_opts=(
    "-Xms$ES_HEAP" "-Xmx$ES_HEAP"
    -XX:+UseG1GC -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30
    -Xss1m -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djna.nosys=true
    -XX:-OmitStackTraceInFastThrow
    -Des.networkaddress.cache.ttl=60 -Des.networkaddress.cache.negative.ttl=10
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true
    -Dio.netty.recycler.maxCapacityPerThread=0 -Dio.netty.allocator.numDirectArenas=0
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true
    -Djava.locale.providers=SPI,COMPAT
    "-Djava.io.tmpdir=$ES_DIR/tmp"
    "-XX:ErrorFile=$ES_DIR/hs_err_pid%p.log"
    "-Demporia.es.basePath=$ES_DIR"
    "-Demporia.es.host=$EMPORIA_HOST"
    "-Demporia.es.httpPort=$EMPORIA_ES_PORT"
    "-Demporia.es.transportPort=$EMPORIA_ES_TRANSPORT_PORT"
    "-Demporia.es.v8compat=$([[ "$ES_V8_COMPAT" == 0 ]] && echo false || echo true)"
  )
  # setsid: own session, so the node outlives the shell/CI step that started it.
  setsid java "${java_opts[@]}" -cp "$ES_CLASSES:$ES_LIBS/*" "$ES_MAIN" \
    </dev/null >"$ES_LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$ES_PID"
  if ! WAIT_PID="$pid" wait_until "$ES_START_TIMEOUT" "elasticsearch http" \
    curl -fsS -m 5 -o /dev/null "$ES_URL/"; then
    tail_log "$ES_LOG"
    die "Elasticsearch did not answer on $ES_URL"
  fi
  es_default_template || log "warning: could not install the no-replicas default template"
  if ! WAIT_PID="$pid" wait_until 90 "elasticsearch health+cjk" es_ready; then
    tail_log "$ES_LOG"
    log "health: $(curl -sS -m 5 "$ES_URL/_cluster/health" 2>&1)"
    log "cjk: $(curl -sS -m 5 -H 'Content-Type: application/json' -X POST "$ES_URL/_analyze" -d '{"analyzer":"cjk","text":"手机壳"}' 2>&1)"
    die "Elasticsearch is up but not ready (health yellow/green + cjk analyzer) on $ES_URL"
  fi
  log "ready on $ES_URL (pid $pid; health $(curl -fsS -m 5 "$ES_URL/_cluster/health" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'), cjk analyzer ok) in $(elapsed "$started")"
}

svc_stop() {
  local pid
  pid="$(es_pid)"
  if [[ -z "$pid" ]]; then
    log "not running"
    rm -f "$ES_PID"
    return 0
  fi
  log "stopping (pid $pid)"
  stop_pid "$pid" elasticsearch 60
  rm -f "$ES_PID"
  log "stopped"
}

svc_status() {
  local pid
  pid="$(es_pid)"
  if [[ -n "$pid" ]] && curl -fsS -m 5 -o /dev/null "$ES_URL/_cluster/health"; then
    echo "elasticsearch: running (pid $pid), answering on $ES_URL"
  elif [[ -n "$pid" ]]; then
    echo "elasticsearch: running (pid $pid) but NOT answering on $ES_URL"
    return 1
  else
    echo "elasticsearch: stopped"
    return 3
  fi
}

service_main "$@"
