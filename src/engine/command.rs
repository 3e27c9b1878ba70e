//! [`Command`]: every engine command as one value, for drivers that queue or send commands
//! (the load driver, the property tests) rather than call methods.

use crate::model::{AgentId, MessageMode, Presence, QueueId, SupervisorId};
use crate::time::SimTime;

use super::effect::{Effect, InviteId};
use super::ruleset::AttrId;
use super::skills::ReqId;
use super::state::ConvId;
use super::{Engine, Outcome};

/// What routing needs to know about an arriving conversation besides its queue: its interned
/// requirement (RT-SKILL) and its interned attribute set (RT-PRIORITIZE). Interned once at setup
/// (`setup::RoutingTags`); the default (`ReqId(0)`, `AttrId(0)`) requires nothing and has no
/// attributes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RoutingTag {
    /// The requirement, from [`Engine::requirement`].
    pub req: ReqId,
    /// The attribute set, from [`Engine::attributes`].
    pub attrs: AttrId,
}

/// One engine command. [`Engine::apply`] dispatches it to the method of the same name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    /// [`Engine::arrive_tagged`]: a conversation arrives in a queue with its routing tag.
    Arrive(QueueId, RoutingTag),
    /// [`Engine::accept`].
    Accept(ConvId, InviteId),
    /// [`Engine::reject`].
    Reject(ConvId, InviteId),
    /// [`Engine::timeout`].
    Timeout(ConvId, InviteId),
    /// [`Engine::pick`].
    Pick(AgentId),
    /// [`Engine::end`].
    End(ConvId),
    /// [`Engine::release_wrap_up`].
    ReleaseWrapUp(ConvId),
    /// [`Engine::close`].
    Close(ConvId),
    /// [`Engine::set_waiting`].
    SetWaiting(ConvId),
    /// [`Engine::resume`].
    Resume(ConvId),
    /// [`Engine::customer_return`].
    CustomerReturn(ConvId),
    /// [`Engine::release`].
    Release(ConvId),
    /// [`Engine::transfer_to_queue`].
    TransferToQueue(ConvId, QueueId),
    /// [`Engine::overflow_transfer`].
    OverflowTransfer(ConvId, QueueId),
    /// [`Engine::overflow_end`].
    OverflowEnd(ConvId),
    /// [`Engine::abandon`].
    Abandon(ConvId),
    /// [`Engine::auto_close`].
    AutoClose(ConvId),
    /// [`Engine::set_presence`].
    SetPresence(AgentId, Option<Presence>),
    /// [`Engine::join_queue`].
    JoinQueue(AgentId, QueueId),
    /// [`Engine::leave_queue`].
    LeaveQueue(AgentId, QueueId),
    /// [`Engine::monitor`].
    Monitor(SupervisorId, ConvId),
    /// [`Engine::join`].
    Join(SupervisorId, ConvId, MessageMode),
    /// [`Engine::assign_to_agent`].
    AssignToAgent(SupervisorId, ConvId, AgentId),
    /// [`Engine::assign_to_queue`].
    AssignToQueue(SupervisorId, ConvId, QueueId),
    /// [`Engine::transfer`].
    Transfer(SupervisorId, ConvId, AgentId),
    /// [`Engine::force_close`].
    ForceClose(SupervisorId, ConvId),
}

/// Inlined, so a caller that passes a known command compiles to the direct method call.
#[inline(always)]
pub(super) fn apply(e: &mut Engine, now: SimTime, cmd: Command, out: &mut Vec<Effect>) -> Outcome {
    match cmd {
        Command::Arrive(q, t) => {
            let conv = e.arrive_tagged(now, q, t.req, t.attrs, out);
            if e.decisions.on {
                e.record_wait(conv, out.len());
            }
            Ok(())
        }
        Command::Accept(c, i) => e.accept(now, c, i, out),
        Command::Reject(c, i) => e.reject(now, c, i, out),
        Command::Timeout(c, i) => e.timeout(now, c, i, out),
        Command::Pick(a) => e.pick(now, a, out).map(|_| ()),
        Command::End(c) => e.end(now, c, out),
        Command::ReleaseWrapUp(c) => e.release_wrap_up(now, c, out),
        Command::Close(c) => e.close(now, c, out),
        Command::SetWaiting(c) => e.set_waiting(now, c, out),
        Command::Resume(c) => e.resume(now, c, out),
        Command::CustomerReturn(c) => e.customer_return(now, c, out),
        Command::Release(c) => e.release(now, c, out),
        Command::TransferToQueue(c, q) => {
            let r = e.transfer_to_queue(now, c, q, out);
            if e.decisions.on && r.is_ok() {
                e.record_wait(c, out.len());
            }
            r
        }
        Command::OverflowTransfer(c, q) => {
            let r = e.overflow_transfer(now, c, q, out);
            if e.decisions.on && r.is_ok() {
                e.record_wait(c, out.len());
            }
            r
        }
        Command::OverflowEnd(c) => e.overflow_end(now, c, out),
        Command::Abandon(c) => e.abandon(now, c, out),
        Command::AutoClose(c) => e.auto_close(now, c, out),
        Command::SetPresence(a, p) => e.set_presence(now, a, p, out),
        Command::JoinQueue(a, q) => e.join_queue(now, a, q, out),
        Command::LeaveQueue(a, q) => e.leave_queue(now, a, q, out),
        Command::Monitor(s, c) => e.monitor(now, s, c, out),
        Command::Join(s, c, m) => e.join(now, s, c, m, out),
        Command::AssignToAgent(s, c, a) => e.assign_to_agent(now, s, c, a, out),
        Command::AssignToQueue(s, c, q) => {
            let r = e.assign_to_queue(now, s, c, q, out);
            if e.decisions.on && r.is_ok() {
                e.record_wait(c, out.len());
            }
            r
        }
        Command::Transfer(s, c, a) => e.transfer(now, s, c, a, out),
        Command::ForceClose(s, c) => e.force_close(now, s, c, out),
    }
}
