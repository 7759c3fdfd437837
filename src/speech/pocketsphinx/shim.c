/*
 * What roomvoice needs from PocketSphinx and sphinxbase that the 5prealpha API does not
 * offer: putting the live cepstral mean (CMN) and the voice-activity detector's noise
 * estimate back before each utterance (without it one decoder carries what it heard
 * before, and the same recording decodes differently depending on what came first),
 * and a grammar's word graph handed over as plain arrays, so that roomvoice can make it
 * minimal (word_graph.rs) and size its transition tables before the search is built.
 */
#include <stdlib.h>
#include <string.h>
#include <pocketsphinx.h>
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/hash_table.h>
#include <sphinxbase/jsgf.h>

/* Returns 0 on success, -1 when the decoder has no feature state. */
int roomvoice_ps_reset_cmn(ps_decoder_t *ps)
{
    feat_t *feat = ps_get_feat(ps);
    if (feat == NULL || feat->cmn_struct == NULL)
        return -1;
    cmn_t *cmn = feat->cmn_struct;
    mfcc_t *init = calloc((size_t)cmn->veclen, sizeof(mfcc_t));
    if (init == NULL)
        return -1;
    const char *text = cmd_ln_str_r(ps_get_config(ps), "-cmninit");
    if (text != NULL) {
        /* "41.00,-5.29,..." (the model's feat.params) */
        char *copy = strdup(text);
        if (copy != NULL) {
            int i = 0;
            for (char *tok = strtok(copy, ","); tok != NULL && i < cmn->veclen;
                 tok = strtok(NULL, ","))
                init[i++] = FLOAT2MFCC(atof(tok));
            free(copy);
        }
    }
    cmn_live_set(cmn, init);
    free(init);
    return 0;
}

/* Forgets the voice-activity detector's noise estimate: the second pass then hears
 * its utterance the same whatever the decoder heard before it. */
void roomvoice_ps_reset_noise(ps_decoder_t *ps)
{
    fe_t *fe = ps_get_fe(ps);
    if (fe != NULL)
        fe_start_stream(fe);
}

/* The transitions of one FSG state, as fsg_model.c lays them out (the header keeps the
 * struct opaque; this layout is sphinxbase's since 2004). */
struct roomvoice_trans_list {
    hash_table_t *null_trans;
    hash_table_t *trans;
};

static int32 roomvoice_is_prime(int32 n)
{
    if (n < 2)
        return 0;
    for (int32 d = 2; d * d <= n; ++d)
        if (n % d == 0)
            return 0;
    return 1;
}

/* The same entries in a table sized to them. sphinxbase's tables never grow (they chain)
 * and start at 101 slots, so a grammar's FSG held one table of 101 slots (3.2 KB) per
 * state and kind of transition, most of them with one or two entries. */
static hash_table_t *roomvoice_compact_table(hash_table_t *old)
{
    if (old == NULL)
        return NULL;
    int32 size = old->inuse + old->inuse / 2 + 1;
    while (!roomvoice_is_prime(size))
        ++size;
    if (size >= old->size)
        return old;
    hash_table_t *fresh = ckd_calloc(1, sizeof(*fresh));
    fresh->size = size;
    fresh->nocase = old->nocase;
    fresh->table = ckd_calloc(size, sizeof(hash_entry_t));
    for (int32 i = 0; i < old->size; ++i) {
        for (hash_entry_t *e = &old->table[i]; e != NULL && e->key != NULL; e = e->next)
            hash_table_enter_bkey(fresh, e->key, e->len, e->val);
    }
    hash_table_free(old);
    return fresh;
}

/* The FSG of a JSGF grammar's public rule, as ps_set_jsgf_string builds it (null
 * transitions closed), or NULL when the grammar does not parse or has no public rule. */
fsg_model_t *roomvoice_jsgf_fsg(ps_decoder_t *ps, const char *jsgf_string)
{
    jsgf_t *jsgf = jsgf_parse_string(jsgf_string, NULL);
    if (jsgf == NULL)
        return NULL;
    jsgf_rule_t *rule = jsgf_get_public_rule(jsgf);
    fsg_model_t *fsg = NULL;
    if (rule != NULL) {
        float32 lw = cmd_ln_float32_r(ps_get_config(ps), "-lw");
        fsg = jsgf_build_fsg(jsgf, rule, ps_get_logmath(ps), lw);
    }
    jsgf_grammar_free(jsgf);
    return fsg;
}

/* The FSG's states, start and final state; returns its number of transitions. */
int32 roomvoice_fsg_shape(fsg_model_t *fsg, int32 *n_states, int32 *start, int32 *final_state)
{
    *n_states = fsg->n_state;
    *start = fsg->start_state;
    *final_state = fsg->final_state;
    int32 count = 0;
    for (int32 s = 0; s < fsg->n_state; ++s)
        for (fsg_arciter_t *it = fsg_model_arcs(fsg, s); it != NULL; it = fsg_arciter_next(it))
            ++count;
    return count;
}

/* Writes up to `cap` transitions (word and null) as (from, to, log prob, word ID; -1 for
 * null) into `out`; returns how many were written. */
int32 roomvoice_fsg_transitions(fsg_model_t *fsg, int32 *out, int32 cap)
{
    int32 count = 0;
    for (int32 s = 0; s < fsg->n_state; ++s) {
        fsg_arciter_t *it = fsg_model_arcs(fsg, s);
        for (; it != NULL && count < cap; it = fsg_arciter_next(it)) {
            fsg_link_t *link = fsg_arciter_get(it);
            out[4 * count] = link->from_state;
            out[4 * count + 1] = link->to_state;
            out[4 * count + 2] = link->logs2prob;
            out[4 * count + 3] = link->wid;
            ++count;
        }
        if (it != NULL)
            fsg_arciter_free(it);
    }
    return count;
}

/* A new FSG with the name, words and weight of `words` and the given states and
 * transitions (as roomvoice_fsg_transitions writes them); NULL when one is out of range. */
fsg_model_t *roomvoice_fsg_with(fsg_model_t *words, int32 n_states, int32 start,
                                int32 final_state, const int32 *transitions, int32 count)
{
    if (start < 0 || start >= n_states || final_state < 0 || final_state >= n_states)
        return NULL;
    fsg_model_t *fsg = fsg_model_init(words->name, words->lmath, words->lw, n_states);
    fsg->start_state = start;
    fsg->final_state = final_state;
    for (int32 w = 0; w < words->n_word; ++w)
        fsg_model_word_add(fsg, words->vocab[w]);
    for (int32 i = 0; i < count; ++i) {
        const int32 *t = transitions + 4 * i;
        if (t[0] < 0 || t[0] >= n_states || t[1] < 0 || t[1] >= n_states || t[3] >= words->n_word) {
            fsg_model_free(fsg);
            return NULL;
        }
        if (t[3] < 0)
            fsg_model_null_trans_add(fsg, t[0], t[1], t[2]);
        else
            fsg_model_trans_add(fsg, t[0], t[1], t[2], t[3]);
    }
    glist_free(fsg_model_null_trans_closure(fsg, NULL));
    return fsg;
}

/* ps_set_fsg with the FSG's transition tables first sized to what they hold. The
 * caller still owns (and frees) `fsg`. */
int roomvoice_ps_set_fsg_compact(ps_decoder_t *ps, const char *name, fsg_model_t *fsg)
{
    struct roomvoice_trans_list *trans = (struct roomvoice_trans_list *)fsg->trans;
    for (int32 s = 0; s < fsg->n_state; ++s) {
        trans[s].null_trans = roomvoice_compact_table(trans[s].null_trans);
        trans[s].trans = roomvoice_compact_table(trans[s].trans);
    }
    return ps_set_fsg(ps, name, fsg);
}
