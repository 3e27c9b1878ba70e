//! The Ongoing Conversations dashboard, replayed in `report.html`: a time control over one
//! replication's compact event log ([`crate::sim::DashLog`], embedded as JSON) and plain
//! JavaScript that rebuilds, at the chosen moment, what the seed's dashboard shows a supervisor.
//!
//! The page marks agents with `data-agent`, `data-units` (units in use), `data-over` (units
//! above capacity) and `data-presence`, and live conversations with `data-conversation`,
//! `data-state` (`open` | `active` | `waiting` | `wrap_up`) and `data-queue`; `#t=SECONDS`
//! opens it at that time. The log covers the replication from its start until `until_ms` (the
//! run's end, or where the event cap cut it); the page says which.

use std::fmt::Write as _;

/// Styles of the dashboard section.
pub(crate) const CSS: &str = r#"
#dash .ctl{display:flex;gap:10px;align-items:center;margin:8px 0;flex-wrap:wrap}
#dash input[type=range]{flex:1;min-width:240px}
#dash .clock{font:600 18px ui-monospace,monospace}
#dash .over{color:#cf222e;font-weight:700}
#dash .tag{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;margin-left:4px;background:#eef0f3}
#dash .tag.no{background:#ffebe9;color:#82071e}#dash .tag.ok{background:#dafbe1;color:#116329}
#dash .grid{display:grid;grid-template-columns:1fr;gap:16px}
#dash .grid>div{overflow-x:auto;min-width:0}
#dash td.wrap{white-space:normal;text-align:left}
"#;

/// The script: replays `events` up to the chosen time and redraws the two tables.
const JS: &str = r#"(function(){
var D=JSON.parse(document.getElementById('dash-data').textContent);
var S=['open','active','waiting','wrap_up','closed'];
var untilS=D.until_ms/1000,fromS=(D.from_ms||0)/1000;
// The moment shown, exact to the millisecond: the slider's value is rounded to its step, so
// "next event" searches from this, not from the slider.
var cur=fromS;
function clk(s){s=Math.max(0,Math.floor(s));var h=Math.floor(s/3600),m=Math.floor(s/60)%60,x=s%60;return h+':'+(m<10?'0':'')+m+':'+(x<10?'0':'')+x;}
function esc(s){return String(s).replace(/[&<>"]/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c];});}
function at(T){var ms=T*1000,convs={},units=D.agents.map(function(){return 0;}),pres=D.agents.map(function(a){return a[2];}),acts=[];
 for(var i=0;i<D.events.length;i++){var e=D.events[i];if(e[0]>ms)break;var k=e[1],c;
  if(k===0){convs[e[2]]={id:e[2],queue:e[3],state:0,t0:e[0],wait:null,agent:null,sent:null,mon:{},joi:{}};}
  else if(k===1){c=convs[e[2]];if(c){c.state=e[3];if(e[3]===1&&c.wait===null)c.wait=(e[0]-c.t0)/1000;if(e[3]===4)delete convs[e[2]];}}
  else if(k===2){c=convs[e[2]];if(c)c.agent=e[3];}
  else if(k===3){units[e[2]]=e[3];}
  else if(k===4){pres[e[2]]=e[3];}
  else if(k===5){c=convs[e[2]];if(c)c.queue=e[3];}
  else if(k===6){c=convs[e[2]];if(c)c.mon[e[3]]=1;}
  else if(k===7){c=convs[e[2]];if(c)c.joi[e[3]]=1;}
  else if(k===8){acts.push(e);}
  else if(k===9){c=convs[e[2]];if(c)c.sent=e[3]/100;}}
 return {convs:convs,units:units,pres:pres,acts:acts};}
function draw(T){T=Math.max(fromS,Math.min(untilS,T));cur=T;var st=at(T);
 document.getElementById('dash-t').value=T;document.getElementById('dash-clock').textContent=clk(T);document.getElementById('dash-clock').setAttribute('data-t',T);
 var a='<table><tr><th>agent</th><th>presence</th><th>units in use</th><th>over capacity</th></tr>';
 D.agents.forEach(function(ag,i){var u=st.units[i],over=Math.max(0,u-ag[1]),p=D.presences[st.pres[i]];
  a+='<tr data-agent="'+esc(ag[0])+'" data-units="'+u+'" data-over="'+over+'" data-presence="'+p+'"><td>'+esc(ag[0])+'</td><td>'+p+'</td><td>'+Math.min(u,ag[1])+' / '+ag[1]+'</td><td'+(over>0?' class="over">+'+over:'>0')+'</td></tr>';});
 document.getElementById('dash-agents').innerHTML=a+'</table>';
 var ids=Object.keys(st.convs).map(Number).sort(function(x,y){return x-y;});
 var n={0:0,1:0,2:0,3:0};
 var c='<table><tr><th>conversation</th><th>state</th><th>queue</th><th>wait so far</th><th>agent</th><th>sentiment</th><th>supervisors</th><th>rules</th></tr>';
 ids.forEach(function(id){var v=st.convs[id],q=D.queues[v.queue];n[v.state]++;
  var wait=v.state===0?(T-v.t0/1000):v.wait;var sups=[];
  Object.keys(v.mon).forEach(function(s){sups.push(esc(D.supervisors[s][0])+' monitoring');});
  Object.keys(v.joi).forEach(function(s){sups.push(esc(D.supervisors[s][0])+' joined');});
  var tags=[];if(v.state===0)tags.push('<span class="tag ok">assignable</span>');
  if(!q[1])tags.push('<span class="tag no">not monitorable (channel)</span>');
  D.supervisors.forEach(function(s){if(s[1]!==null&&s[1]===v.agent)tags.push('<span class="tag no">own conversation of '+esc(s[0])+': not monitorable by them</span>');});
  c+='<tr data-conversation="'+id+'" data-state="'+S[v.state]+'" data-queue="'+esc(q[0])+'"><td>'+id+'</td><td>'+S[v.state]+'</td><td>'+esc(q[0])+'</td><td>'+(wait===null?'—':clk(wait))+'</td><td>'+(v.agent===null?'—':esc(D.agents[v.agent][0]))+'</td><td>'+(v.sent===null?'—':v.sent.toFixed(2))+'</td><td>'+(sups.join(', ')||'—')+'</td><td class="wrap">'+tags.join('')+'</td></tr>';});
 document.getElementById('dash-convs').innerHTML=c+'</table>';
 document.getElementById('dash-counts').textContent=ids.length+' live: '+n[0]+' open, '+n[1]+' active, '+n[2]+' waiting, '+n[3]+' in wrap-up';
 var near=st.acts.filter(function(e){return e[0]>=(T-300)*1000;}).slice(-12);
 var l=near.map(function(e){var tgt=e[6]<0?'':(e[4]===3?' to queue '+esc(D.queues[e[6]][0]):' to '+esc(D.agents[e[6]][0]));
  return '<li data-action="'+D.actions[e[4]]+'">'+clk(e[0]/1000)+' '+esc(D.supervisors[e[2]][0])+' '+D.actions[e[4]].replace(/_/g,' ')+' conversation '+e[3]+tgt+': '+(e[5]<0?'accepted':'refused by '+D.rules[e[5]])+'</li>';});
 document.getElementById('dash-acts').innerHTML=l.length?l.join(''):'<li class="note">none in the five minutes before this moment</li>';}
function fromHash(){var m=/t=([0-9.]+)/.exec(location.hash);return m?parseFloat(m[1]):fromS;}
var r=document.getElementById('dash-t');r.min=fromS;r.max=untilS;
r.addEventListener('input',function(){var T=parseFloat(r.value);draw(T);history.replaceState(null,'','#t='+Math.floor(T));});
document.getElementById('dash-step').addEventListener('click',function(){var ms=Math.round(cur*1000),T=cur;for(var i=0;i<D.events.length;i++){if(D.events[i][0]>ms){T=D.events[i][0]/1000;break;}}draw(T);history.replaceState(null,'','#t='+T);});
window.addEventListener('hashchange',function(){draw(fromHash());});
draw(fromHash());})();"#;

/// Appends the dashboard section for the embedded log `d`.
pub(crate) fn section(o: &mut String, d: &super::model::DashboardLog) {
    let from = if d.from_s > 0.0 {
        format!("from {}", crate::trace::clock(d.from_s))
    } else {
        "from the start".to_string()
    };
    let cut = match (d.truncated, d.capped) {
        (false, _) => " (the end of the run)",
        (true, true) => {
            " (the event cap of <code>run --dashboard-events</code> was reached there; \
             <code>--dashboard-from</code> and <code>--dashboard-to</code> choose another window)"
        }
        (true, false) => " (the end of the window of <code>run --dashboard-to</code>)",
    };
    let _ = write!(
        o,
        "<h2 id=\"dashboard\">Ongoing conversations, replayed</h2><section id=\"dash\">\
         <p class=\"note\">Replication {replication}, {from} until {until}{cut}. Move the \
         slider (or open <code>report.html#t=SECONDS</code>) to see, at that moment, every live \
         conversation and every agent as the supervisor's dashboard shows them, and the \
         supervisor actions of the five minutes before.</p>\
         <div class=\"ctl\"><span class=\"clock\" id=\"dash-clock\">0:00:00</span>\
         <input type=\"range\" id=\"dash-t\" min=\"0\" step=\"1\" value=\"0\">\
         <button id=\"dash-step\" type=\"button\">next event</button></div>\
         <p id=\"dash-counts\" class=\"note\"></p>\
         <div class=\"grid\"><div id=\"dash-agents\"></div><div id=\"dash-convs\"></div></div>\
         <h3>Supervisor actions</h3><ul id=\"dash-acts\"></ul>\
         <script type=\"application/json\" id=\"dash-data\">{data}</script><script>{JS}</script></section>",
        replication = d.replication,
        until = crate::trace::clock(d.until_s),
        data = d.json.replace("</", "<\\/"),
    );
}
