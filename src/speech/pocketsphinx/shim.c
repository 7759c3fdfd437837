/*
 * The one PocketSphinx operation roomvoice needs that the 5prealpha API does not offer:
 * putting the live cepstral mean (CMN) back to the model's initial value before each
 * utterance. Without it one decoder carries the mean of whatever it heard before, and
 * the same recording decodes differently depending on what came first.
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

/* ps_set_jsgf_string (the public rule, as there) with the FSG's transition tables
 * sized to what they hold before the search is built. Returns ps_set_fsg's result, or
 * -1 when the grammar does not parse or has no public rule. */
int roomvoice_ps_set_jsgf_compact(ps_decoder_t *ps, const char *name, const char *jsgf_string)
{
    jsgf_t *jsgf = jsgf_parse_string(jsgf_string, NULL);
    if (jsgf == NULL)
        return -1;
    jsgf_rule_t *rule = jsgf_get_public_rule(jsgf);
    if (rule == NULL) {
        jsgf_grammar_free(jsgf);
        return -1;
    }
    float32 lw = cmd_ln_float32_r(ps_get_config(ps), "-lw");
    fsg_model_t *fsg = jsgf_build_fsg(jsgf, rule, ps_get_logmath(ps), lw);
    if (fsg == NULL) {
        jsgf_grammar_free(jsgf);
        return -1;
    }
    struct roomvoice_trans_list *trans = (struct roomvoice_trans_list *)fsg->trans;
    for (int32 s = 0; s < fsg->n_state; ++s) {
        trans[s].null_trans = roomvoice_compact_table(trans[s].null_trans);
        trans[s].trans = roomvoice_compact_table(trans[s].trans);
    }
    int result = ps_set_fsg(ps, name, fsg);
    fsg_model_free(fsg);
    jsgf_grammar_free(jsgf);
    return result;
}
